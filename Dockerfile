# syntax=docker/dockerfile:1
# tcplab echo server image.
#   docker build -t tcplab:0.1.0 .
#   docker run --rm -p 6666:6666 tcplab:0.1.0          # then: tcplab connect 127.0.0.1 6666
# Two stages: the first compiles the TypeScript with the dev dependencies, the second carries only
# the compiled JavaScript and the production node_modules, and runs as the unprivileged `node` user.
# test/deploy/deploy.test.ts checks that this file, the CLI and deploy/kubernetes agree.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied; sockopt loads its
# bundled linux-x64 prebuild, so nothing here needs a compiler.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src/ src/
COPY bin/ bin/
COPY scripts/bundle.mjs scripts/
# tsc, then the CLI as one script with its V8 code cache (scripts/bundle.mjs: faster start-up).
RUN npx tsc -p . && node scripts/bundle.mjs && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
# tini as PID 1: forwards SIGTERM to tcplab and reaps children, so `docker stop` and pod
# termination end the server at once instead of after the 10-30 s kill timeout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/src/ dist/src/
COPY --from=build /app/dist/tcplab.cjs /app/dist/tcplab.cjs.cache dist/
COPY bin/ bin/
RUN ln -s /app/bin/tcplab /usr/local/bin/tcplab
USER node
EXPOSE 6666
# A TCP connect to the echo port, the same check as the Kubernetes probes (no curl in slim images).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "require('net').connect(6666, '127.0.0.1').on('connect', function () { this.destroy(); process.exit(0) }).on('error', () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "tcplab"]
CMD ["serve", "--port", "6666"]
