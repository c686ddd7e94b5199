"""The function: Stratus calls handler(event, context) for each invocation."""
import os


def handler(event, context):
    greeting = os.environ.get("GREETING", "Hello")
    name = (event or {}).get("name") or "world"
    return {"message": f"{greeting}, {name}!"}
