"""docker-compose.yml, checked the way Compose reads it: Debian's docker-compose validates it
against the Compose specification's schema and resolves it (`config`, no daemon needed) with
deploy/.env.example; then each profile's services are checked for what the deployment needs
(a reserved GPU, the llm servers the API is pointed at, the Qdrant cluster, the replicas
behind the proxy, healthchecks and restart policies), and every API's environment is read by
the product's own settings classes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import AppSettings
from ingest.settings import IngestSettings
from retrieval.settings import RetrievalSettings

REPO = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = REPO / "deploy" / ".env.example"
APIS = {"cpu": ["api"], "gpu": ["api-gpu"], "ha": ["api-1", "api-2"]}


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("Debian's docker-compose is missing: scripts/install.sh installs it")
    return subprocess.run(
        [binary, "--project-directory", str(REPO), "-f", str(REPO / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin"},  # nothing from this shell's environment is interpolated
    )


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = _compose("--env-file", str(ENV_EXAMPLE), "config")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def _profile(config: dict[str, Any], profile: str) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in config["services"].items() if profile in s.get("profiles", [])}


@pytest.mark.parametrize("profile", ["cpu", "gpu", "ha"])
def test_each_profile_validates(profile: str) -> None:
    result = _compose("--env-file", str(ENV_EXAMPLE), "--profile", profile, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_a_missing_database_password_is_refused() -> None:
    result = _compose("config", "-q")
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr


def test_every_service_restarts_and_is_health_checked(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        assert service.get("profiles"), f"{name} starts in every profile"
        assert service["restart"] == "unless-stopped", name
        if not name.startswith("worker"):  # the worker serves nothing to probe
            assert service["healthcheck"]["test"][0] == "CMD", name
        if service["image"].startswith("kdocqa"):
            assert service["deploy"]["resources"]["limits"]["memory"], name


def _gpus(service: dict[str, Any]) -> list[dict[str, Any]]:
    return list(
        service.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
    )


def test_cpu_profile_is_the_in_process_model(resolved: dict[str, Any]) -> None:
    services = _profile(resolved, "cpu")
    assert set(services) == {"postgres", "qdrant", "api", "worker", "ui"}
    assert "KDOCQA_LLM_BASE_URL" not in services["api"]["environment"]
    assert not any(_gpus(s) for s in services.values())


def test_gpu_profile_reserves_the_gpu_for_the_llm_server(resolved: dict[str, Any]) -> None:
    services = _profile(resolved, "gpu")
    llm = services["llm"]
    assert llm["build"]["dockerfile"] == "Dockerfile.gpu"
    [device] = _gpus(llm)
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    command = llm["command"]
    assert command[0] == "llama-server" and int(command[command.index("--parallel") + 1]) >= 2
    api = services["api-gpu"]
    assert api["environment"]["KDOCQA_LLM_BASE_URL"] == "http://llm:8080"
    assert "api" in api["networks"]["default"]["aliases"]
    assert api["depends_on"]["llm"]["condition"] == "service_healthy"


def test_ha_profile_is_a_qdrant_cluster_two_apis_and_two_llm_servers(
    resolved: dict[str, Any],
) -> None:
    services = _profile(resolved, "ha")
    nodes = sorted(n for n in services if re.fullmatch(r"qdrant-\d", n))
    assert nodes == ["qdrant-1", "qdrant-2", "qdrant-3"]
    for node in nodes:
        assert services[node]["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
        command = services[node]["command"]
        assert command[command.index("--uri") + 1] == f"http://{node}:6335"
        if node != "qdrant-1":
            assert command[command.index("--bootstrap") + 1] == "http://qdrant-1:6335"
    servers: list[str] = []
    for name in APIS["ha"]:
        environment = services[name]["environment"]
        settings = RetrievalSettings.model_validate(_settings_input(environment))
        assert settings.qdrant_replication_factor == 2 and settings.qdrant_shards >= 3
        urls = environment["KDOCQA_LLM_BASE_URL"].split(",")
        assert len(urls) >= 2
        servers = [re.sub(r"^http://([^:]+):.*$", r"\1", u) for u in urls]
    devices = [tuple(_gpus(services[s])[0]["device_ids"]) for s in servers]
    assert len(set(devices)) == len(devices), "each llm server has its own GPU"
    upstreams = re.findall(r"server (api-\d+):8000", (REPO / "deploy/nginx.conf").read_text())
    assert upstreams == APIS["ha"]
    assert "api" in services["proxy"]["networks"]["default"]["aliases"]
    [volume] = services["proxy"]["volumes"]
    assert volume == f"{REPO}/deploy/nginx.conf:/etc/nginx/nginx.conf:ro"


def _settings_input(environment: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("KDOCQA_").lower(): v for k, v in environment.items() if v is not None}


@pytest.mark.parametrize("profile", ["cpu", "gpu", "ha"])
def test_the_product_reads_every_api_environment(
    resolved: dict[str, Any], profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in APIS[profile]:
        environment = _profile(resolved, profile)[name]["environment"]
        for key, value in environment.items():
            monkeypatch.setenv(key, str(value))
        app, retrieval, ingest = AppSettings(), RetrievalSettings(), IngestSettings()
        assert retrieval.store == "server" and app.database_url
        assert app.database_url.startswith("postgresql://kdocqa:")
        assert "api" in app.trusted_hosts
        assert ingest.sources and ingest.sources[0].path == Path("/docs")
