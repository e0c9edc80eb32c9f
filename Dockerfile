# Switchboard relay. The sources run directly on Node 24 (type stripping); the embedded
# OpenCode comes from the opencode-ai dependency's platform package.
FROM node:24-bookworm-slim

# git: OpenCode keeps its snapshots in git; ca-certificates: HTTPS to chat and model providers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters

ENV NODE_ENV=production \
    SWITCHBOARD_DB=/data/switchboard.db \
    SWITCHBOARD_HTTP_HOST=0.0.0.0
# The relay (and the agent's commands, in the embedded runtime) run as the unprivileged `node`
# user, who owns /data; mount the config read-only and readable by uid 1000 only.
RUN mkdir -p /data /config && chown node:node /data && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8787/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/switchboard.mjs"]
CMD ["start", "--config", "/config/config.json"]
