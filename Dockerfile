# CPU image. For a CUDA server, build with --build-arg CMAKE_ARGS="-DGGML_CUDA=on" on an
# nvidia/cuda devel base image (see README, "GPU").
FROM python:3.11-slim
ARG CMAKE_ARGS="-DGGML_NATIVE=OFF"
ENV CMAKE_ARGS=${CMAKE_ARGS} PIP_DISABLE_PIP_VERSION_CHECK=1 KDOCQA_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake curl \
    tesseract-ocr tesseract-ocr-kor \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/kdocqa
COPY pyproject.toml README.md ./
COPY app app
COPY ingest ingest
COPY retrieval retrieval
COPY ui ui
COPY eval eval
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install --no-cache-dir .
# Air-gapped sites: run `kdocqa models` once where PyPI is reachable and copy /data/models in.
VOLUME /data
EXPOSE 8000 8501
CMD ["kdocqa", "serve", "--host", "0.0.0.0"]
