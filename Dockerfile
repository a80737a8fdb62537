# syntax=docker/dockerfile:1
# One image for the api, the worker and the migration step; a second target
# serves the partner docs. Build: docker build -t comptappart . (api/worker),
# docker build --target docs -t comptappart-docs . (docs). docker-compose.yml builds both.
# Node 24 LTS: Node 20 reached end of life in April 2026 (the code still runs on 20.19+, see README).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci installs exactly the lock file, and fails if it drifted from package.json.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS docs-build
WORKDIR /app
# The site's references are generated from docs/ at build time.
COPY docs/ ./docs/
COPY docs-site/package.json docs-site/package-lock.json ./docs-site/
RUN npm --prefix docs-site ci --no-audit --no-fund
COPY docs-site/ ./docs-site/
RUN npm --prefix docs-site run build

FROM nginx:1.27-alpine AS docs
COPY --from=docs-build /app/docs-site/build /usr/share/nginx/html
# The site is built with trailingSlash: false, so /docs/webhook is docs/webhook.html on disk.
COPY <<'EOF' /etc/nginx/conf.d/default.conf
server {
  listen 80;
  root /usr/share/nginx/html;
  index index.html;
  location / {
    try_files $uri $uri.html $uri/ =404;
  }
  error_page 404 /404.html;
}
EOF
EXPOSE 80

FROM node:24-bookworm-slim AS app
ENV NODE_ENV=production
WORKDIR /app
# Owned by root: the node user can run the code, not rewrite it.
COPY --from=build /app/node_modules ./node_modules
# dist/ holds the api, the worker and the partner portal's web app (dist/portal, served at /portal/).
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# 3000: the api; 3001: worker health and metrics; 3002: api metrics (internal network only).
EXPOSE 3000 3001 3002
# The api's node flags (apps/api/src/node-flags.ts says why); docker-compose.yml repeats them, and runs the
# worker with its own (apps/worker/src/node-flags.ts).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "dist/apps/api/src/main.js"]
