"""Handler behaviour against targets/CONTRACT.md, through FastAPI's in-process test client."""

from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_known_user_matches_the_generation_rule():
    response = client.get("/users/42")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"id": 42, "name": "User 42", "email": "user42@example.com"}


def test_body_is_compact_json_in_contract_key_order():
    # Both targets must be byte-identical, so key order and separators matter.
    assert client.get("/users/7").content == b'{"id":7,"name":"User 7","email":"user7@example.com"}'


def test_last_user_exists_and_the_next_does_not():
    assert client.get("/users/10000").status_code == 200
    response = client.get("/users/10001")
    assert response.status_code == 404
    assert response.json() == {"detail": "user not found"}


def test_zero_and_negative_ids_are_unknown():
    assert client.get("/users/0").status_code == 404
    assert client.get("/users/-3").status_code == 404


def test_non_integer_id_is_fastapis_own_422():
    response = client.get("/users/abc")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert isinstance(response.json()["detail"], list)


def test_healthz():
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
