"""A stand-in Elasticsearch node for tests without a cluster.

It plugs into the official client as its node class, so requests and
responses pass through the client's real serialisation, product check and
response classes; only the HTTP round trip is replaced. Tests set `handler`
to answer (method, path, body) with (status, json_body), and read `requests`.
"""

import json

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse

HEADERS = {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}


class FakeNode(BaseNode):
    requests: list = []
    handler = None

    def perform_request(
        self, method, target, body=None, headers=None, request_timeout=None
    ):
        payload = _decode(body)
        FakeNode.requests.append((method, target, payload))
        status, response = FakeNode.handler(method, target, payload)
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(HEADERS),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, json.dumps(response).encode())

    @classmethod
    def reset(cls, handler):
        cls.requests = []
        cls.handler = staticmethod(handler)


def _decode(body):
    if not body:
        return None
    text = body.decode()
    if "\n" in text.strip():  # bulk: newline-delimited JSON
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def bulk_ok(payload):
    """A bulk response acknowledging every action of a bulk request."""
    items = []
    for line in payload:
        op = next(iter(line), None)
        if len(line) == 1 and op in ("index", "create", "delete", "update"):
            meta = line[op]
            status = 200 if op == "delete" else 201
            items.append(
                {
                    op: {
                        "_index": meta.get("_index", ""),
                        "_id": meta["_id"],
                        "status": status,
                    }
                }
            )
    return {"took": 3, "errors": False, "items": items}
