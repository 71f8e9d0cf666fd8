"""The report of `python -m perfdash bench` (perfdash.bench): the JSON result, and the table
printed for a person."""
from __future__ import annotations

import os

from perfdash import synth


def report(scale: synth.Scale, counts: dict, imported: dict, queries: dict, pages: dict, rss: float,
           profile: dict | None, load: dict) -> dict:
    rows_per_s = imported["rows"] / imported["seconds"]
    raw_rows_per_s = imported["raw_rows"] / imported["raw_seconds"]
    return {
        "scale": {"units": scale.units, "years": scale.years, "unit_years": counts["unit_years"],
                  "projects": counts["projects"]},
        "import": {"rows_per_s": round(rows_per_s), "raw_rows_per_s": round(raw_rows_per_s),
                   "ratio": round(rows_per_s / raw_rows_per_s, 3)},
        "queries": {page: {k: round(v, 3) for k, v in q.items()} for page, q in queries.items()},
        "pages": {page: {"warm_ms": round(r.warm_ms, 3), "cold_ms": round(r.cold_ms, 3)} for page, r in pages.items()},
        "new_unit_profile": {k: round(v, 3) for k, v in profile.items()} if profile else None,
        "rss_mb": round(rss, 1),
        "load": load,
    }


def print_table(result: dict, imported: dict, breakdown: list[dict], errors: dict[str, list[str]]) -> None:
    s = result["scale"]
    print(f"规模：{s['units']:,} 个单位 × {s['years']} 年 = {s['unit_years']:,} 个单位年度，项目 {s['projects']:,} 行")
    i = result["import"]
    sample = ""
    if imported["sample_units"] != s["units"] or imported["sample_years"] != s["years"]:
        sample = f"（抽样：{imported['sample_units']:,} 个单位 × {imported['sample_years']} 年；全量数据在 DuckDB 内生成，" \
                 f"用时 {imported['generate_seconds']:.1f} s）"
    print(f"\n导入{sample}：{imported['rows']:,} 行")
    print(f"  perfdash 导入（解析+校验+比对+写入+比率表）  {i['rows_per_s']:>12,} 行/秒")
    print(f"  DuckDB read_csv 直接建表                    {i['raw_rows_per_s']:>12,} 行/秒")
    print(f"  比值                                        {i['ratio']:>12.2f}   （目标 ≥ 0.5）")
    print("\n页面数据调用（毫秒；我们的层 vs 裸 DuckDB 执行相同 SQL）")
    print(f"  {'页面':<28}{'p50':>9}{'p95':>9}{'冷':>9}{'裸p50':>9}{'比值':>7}")
    for page, q in result["queries"].items():
        print(f"  {page:<30}{q['p50_ms']:>9.1f}{q['p95_ms']:>9.1f}{q['cold_ms']:>9.1f}{q['raw_p50_ms']:>9.1f}{q['ratio']:>7.2f}")
    print("\n页面服务端运行（AppTest，毫秒）")
    print(f"  {'页面':<28}{'热':>9}{'冷':>9}")
    for page, p in result["pages"].items():
        flag = "  ⚠ 页面报错" if errors.get(page) else ""
        print(f"  {page:<30}{p['warm_ms']:>9.0f}{p['cold_ms']:>9.0f}{flag}")
    print("\n最慢的数据调用（毫秒）")
    for b in breakdown:
        print(f"  {b['ours_ms']:>8.1f} vs 裸 {b['raw_ms']:>7.1f}  {b['rows']:>9,} 行  {b['call']}({b['params']})  [{b['page']}]")
    profile = result["new_unit_profile"]
    if profile:
        page = (f"；页面 p50 {profile['page_p50_ms']:.0f} ms，p95 {profile['page_p95_ms']:.0f} ms"
                if "page_p50_ms" in profile else "")
        print(f"\n首次打开的单位画像（{profile['units']} 个不同单位，均未缓存）：数据 p50 {profile['data_p50_ms']:.1f} ms，"
              f"p95 {profile['data_p95_ms']:.1f} ms，裸 DuckDB p50 {profile['raw_p50_ms']:.1f} ms{page}")
    load = result["load"]
    print(f"\n机器负载（1/5/15 分钟平均）：开始 {' / '.join(map(str, load['start']))}，"
          f"结束 {' / '.join(map(str, load['end']))}（{os.cpu_count()} 核）")
    print(f"\n峰值内存（服务进程 RSS）：{result['rss_mb']:,.0f} MB；导入/生成子进程：{imported['rss_mb']:,.0f} MB")
