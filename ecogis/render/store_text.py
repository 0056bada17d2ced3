"""What ``ecogis publish`` prints: the version written, its history row and the versions of the name.
Never computes; labels in one lookup per language."""
from __future__ import annotations

LABELS = {
    "en": {"published": "Published {name}@{version} to {store} (table {table})", "features": "features",
           "crs": "CRS", "source": "source", "sha256": "SHA-256", "at": "published at",
           "versions": "versions", "current": "current version", "none": "none"},
    "zh": {"published": "已发布 {name}@{version} 至 {store}（表 {table}）", "features": "要素数",
           "crs": "坐标系", "source": "来源", "sha256": "SHA-256", "at": "发布时间",
           "versions": "版本", "current": "现行版本", "none": "无"},
}


def format_publish(result, lang: str = "zh") -> str:
    """The lines of a :class:`~ecogis.store.publish.PublishResult`."""
    words = LABELS.get(lang, LABELS["en"])
    row = result.row
    lines = [words["published"].format(name=row["name"], version=row["version"], store=result.store,
                                       table=row["table_name"]),
             f"  {words['features']}: {row['features']}", f"  {words['crs']}: {row['crs']}",
             f"  {words['source']}: {row['source_path']}", f"  {words['sha256']}: {row['source_sha256']}",
             f"  {words['at']}: {row['published_at']}",
             f"  {words['versions']}: {', '.join(result.versions)}",
             f"  {words['current']}: {result.current or words['none']}"]
    return "\n".join(lines)
