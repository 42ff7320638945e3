import httpx
from fastapi import FastAPI

BASE = "https://api.example.com"
SOURCES = {
    "news": f"{BASE}/json",
    "weather": f"{BASE}/status/503",
    "stocks": f"{BASE}/delay/3",
    "sport": "https://sport.internal/scores",
    "traffic": f"{BASE}/delay/0.3",
}

app = FastAPI()


@app.get("/board/{names}")
async def board(names: str) -> dict[str, object]:
    parts = []
    async with httpx.AsyncClient() as client:
        for name in names.split(","):
            response = await client.get(SOURCES[name])
            response.raise_for_status()
            parts.append({"name": name, "status": "ok"})
    return {"parts": parts}
