"""口径说明: every rate's formula, denominator and threshold as configured, the grade bands, the
detection rules, where the figures come from, and the documentation of every query."""
import pandas as pd
import streamlit as st

from perfdash import labels, metrics
from perfdash.derive import outliers
from perfdash.store import sql
from perfdash.config import PROJECT_ROOT
from ui import data

st.title("口径说明")
config = data.db().config
st.caption(f"本页内容全部读自配置文件 `{config.source}` 与 `queries/` 下各查询文件的说明，修改配置后即生效。")

# -- rates -----------------------------------------------------------------------------------------


def threshold_text(metric_id: str) -> str:
    t = config.thresholds.get(metric_id)
    return "不设预警" if t is None else t.describe()


st.subheader("比率口径")
rate_ids = metrics.RATE_IDS
rates = pd.DataFrame({
    "指标": [metrics.label(m) for m in rate_ids],
    "公式": [metrics.METRICS[m].formula_for(config) for m in rate_ids],
    "预警线": [threshold_text(m) for m in rate_ids],
    "说明": [metrics.METRICS[m].description or "—" for m in rate_ids],
})
st.table(rates.set_index("指标"))
denominators = "".join(
    f"- **{m.label}的分母**：{m.denominator_for(config).text}"
    f"（配置项 `denominators.{m.id} = \"{getattr(config, m.denominator_setting)}\"`）。\n"
    for m in (metrics.METRICS[i] for i in metrics.CONFIGURABLE_RATE_IDS)
)
st.markdown(
    denominators +
    "- 比率以小数存储、以百分数显示（两位小数）；两个比率之差以**个百分点**表示。"
    "金额单位为**万元**，以元填报的文件导入时换算。\n"
    "- 缺少分子或分母、或分母为 0 时，比率为空（显示“—”），不当作 0。\n"
    "- 多个单位合计的比率按预算加权：**Σ分子 ÷ Σ分母**，不是各单位比率的平均。"
)
st.info(
    "**各单位报告中的比率常用其他分母，与本系统口径不同。** 例如新郑市政务服务和大数据管理局 2021 年报告的"
    "预算执行率 79.34% = 实际支出 1,743.22 万元 ÷ **到位资金** 2,197.17 万元；本系统按全国通用口径"
    "（财预〔2013〕53号）以**调整后预算数**为分母：1,743.22 ÷ 2,264.97 = **76.96%**。"
    "同样，报告中的结转结余率有的以支出完成数为分母。本系统统一按上表口径计算，"
    "如本地规定不同，可在 perfdash.toml 的 [denominators] 中改用到位资金或实际支出数。",
    icon=":material/info:",
)

# -- grades ----------------------------------------------------------------------------------------
st.subheader("评价等级")
floors = sorted(config.grade_floors.items(), key=lambda kv: -kv[1])
bands = []
for i, (grade, floor) in enumerate(floors):
    upper = floors[i - 1][1] if i > 0 else None
    bands.append({"等级": grade, "自评得分": f"{floor:g} 分及以上" if upper is None else
                  (f"低于 {upper:g} 分" if floor <= 0 else f"{floor:g} 分至 {upper:g} 分（不含）")})
st.table(pd.DataFrame(bands).set_index("等级"), width="content")
st.caption("依据《项目支出绩效评价管理办法》（财预〔2020〕10号）；“优秀、良好、中等、较差”导入时分别记为优、良、中、差。")

st.subheader("四类提示")
st.markdown(
    "- **预警**：比率越过 perfdash.toml 中的预警线，如预算执行率低于 90%（关注）或 60%（严重）、"
    "实际支出超过预算、“三公经费”超支、项目执行率过低（执行越少越严重：5% 与 45% 不同）。\n"
    "- **异常**：与同年度、同层级的单位相比明显偏离，或与本单位上一年相比变化过大。\n"
    "- **自评虚高**：自评结果得不到本单位数据的支持，如自评「优」而执行率未达目标、自评高于「中」却有多项严重预警、"
    "自评得分远高于外部评价得分、一级指标得分加起来不等于总分。只看单位自评，不评判财政或第三方给出的评价得分。\n"
    "- **数据核查**：数据不全或互相矛盾，数字本身有疑问，需要先核实再下结论：有评价等级却没有得分和支出数据；"
    "实际支出高于预算数、却与到位资金（收入）相等（预算数可能未含年中追加，不按超支处理）；到位资金高于预算数；"
    "有支出却没有预算数；金额约为上年（或此前导入的同年数）的 10,000 倍或 1/10,000、没有往年数据而同批单位的预算中位数"
    "大得不像一个部门的年度预算（可能单位有误：元/万元，导入时已提示并经确认）；报告所列比率用任何口径都算不出来。")
st.subheader("报告所列比率的核对")
st.markdown(
    "自评报告中写出的比率（如“预算执行率为79.34%”）原样保存，并用单位的各项数据逐一核对，"
    "差异在 ±0.005 个百分点以内（报告保留两位小数）即视为算得出：\n"
    "- **一致**：本系统按现行口径算出的数与报告相同。\n"
    "- **口径不同**：换一个分母（按实际到位资金、按实际支出数、按年初预算数、按上年结转结余等）能算出报告的数，"
    "说明报告用了别的口径，数据本身没有矛盾。\n"
    "- **算不出（疑似差错）**：各种口径都算不出报告的数，列出最接近的结果，并列入数据核查。\n"
    "- **无法核对**：数据库中没有计算该比率所需的数据。")

st.subheader("判定规则")
st.markdown("\n".join(f"- {line}" for line in outliers.rules_text(config)))

# -- sources ---------------------------------------------------------------------------------------
st.subheader("数据来源")
last = data.query("filters/last_import")["imported_at"].iloc[0]
st.markdown(f"**数据截至：** {pd.Timestamp(last):%Y-%m-%d %H:%M}（最近一次有效导入）" if pd.notna(last)
            else "**数据截至：** 尚未导入任何数据。请到「数据导入」页上传。")
history = data.query("import/history")
if not history.empty:
    shown = pd.DataFrame({
        "批次": history["batch_id"],
        "文件": history["file_name"],
        "类型": history["kind"].map({"budget": "预算执行", "scores": "一级指标得分", "projects": "项目支出"})
                                .fillna(history["kind"]),
        "新增行": history["rows_inserted"],
        "更新行": history["rows_updated"],
        "导入时间": history["imported_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "导入人": history["imported_by"].fillna("—"),
        "示例数据": history["is_demo"].map({True: "是", False: "否"}),
        "状态": history["status"].map(labels.BATCH_STATUS_LABELS).fillna(history["status"]),
    })
    st.dataframe(shown, hide_index=True, width="stretch", height=min(400, 35 * (len(shown) + 1) + 3))
readme = PROJECT_ROOT / "data" / "seed" / "README.md"
if readme.is_file():
    with st.expander("四份公开报告的数据如何录入（data/seed/README.md）"):
        st.markdown(readme.read_text(encoding="utf-8"))

# -- queries ---------------------------------------------------------------------------------------
st.subheader("查询说明")
st.caption("每个数字都来自 queries/ 下的一个 SQL 文件；以下是各文件开头的说明（用途、每行含义、公式、单位、参数）。")
GROUPS = {"rates": "比率计算", "pages": "各页面的查询", "outliers": "预警与异常", "reconcile": "报告比率核对", "filters": "筛选与数据状态"}
FIELDS = {"row": "每行", "formula": "公式", "units": "单位", "params": "参数"}
for folder, title in GROUPS.items():
    names = [n for n in sql.all_names() if n.split("/")[0] == folder]
    with st.expander(f"{title}（queries/{folder}/，{len(names)} 个文件）"):
        for name in names:
            head = sql.header(name)
            lines = [f"**{name}.sql** — {head.get('purpose', '')}"]
            lines += [f"  - {label}：{head[key]}" for key, label in FIELDS.items() if head.get(key)]
            st.markdown("\n".join(lines))
