# One image for the api, the worker and the migration step; a second target
# serves the partner docs. Build: docker build -t comptappart . (api/worker),
# docker build --target docs -t comptappart-docs . (docs).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS docs-build
WORKDIR /app
COPY docs/ ./docs/
COPY docs-site/package.json docs-site/package-lock.json ./docs-site/
RUN npm --prefix docs-site install --no-audit --no-fund
COPY docs-site/ ./docs-site/
RUN npm --prefix docs-site run build

FROM nginx:1.27-alpine AS docs
COPY --from=docs-build /app/docs-site/build /usr/share/nginx/html
EXPOSE 80

FROM node:20-bookworm-slim AS app
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js"]
