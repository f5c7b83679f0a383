FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . && if [ -f package.json ]; then npm ci --omit=dev --no-audit --no-fund; fi
EXPOSE 8000
