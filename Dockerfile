# CPU image (compose profile cpu; the sync worker and the UI in every profile). The CUDA
# image is Dockerfile.gpu.
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
RUN pip uninstall -y torchvision 2>/dev/null || true
# Air-gapped sites: `kdocqa bundle` where PyPI is reachable, then install from the bundle
# (README, "Air-gapped install"); the models go into the kdocqa-data volume's models/.
VOLUME /data
EXPOSE 8000 8501
CMD ["kdocqa", "serve", "--host", "0.0.0.0"]
