import httpx
from fastapi import BackgroundTasks, FastAPI

app = FastAPI()


async def send_welcome(name: str) -> None:
    # No closed client any more, but a new client (and connection) for every welcome.
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.post("https://mail.example.com/status/202", json={"to": name})
    response.raise_for_status()


@app.get("/signup/{name}")
async def signup(name: str, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(send_welcome, name)
    return {"welcome": name}
