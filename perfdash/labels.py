"""The Chinese words for the codes the database stores — each said once, read by every page,
export and command."""
from __future__ import annotations

# Flags (unit_flag.kind / severity)
FLAG_KINDS = ("warning", "statistical", "inflation", "data")
FLAG_KIND_LABELS = {"warning": "预警", "statistical": "异常", "inflation": "自评虚高", "data": "数据核查"}

# Reconciliation of stated rates (rate_reconciliation.verdict)
VERDICTS = ("match", "other_basis", "slip", "not_recomputable")
VERDICT_LABELS = {"match": "一致", "other_basis": "口径不同", "slip": "算不出（疑似差错）",
                  "not_recomputable": "无法核对"}
SEVERITIES = ("high", "medium")
SEVERITY_LABELS = {"high": "严重", "medium": "关注"}

# Import batches (import_batch.status)
BATCH_STATUS_LABELS = {"active": "有效", "rolled_back": "已回滚"}

# Administrative levels, top down; 区级 counts as 县级 in the rules but keeps its own name.
LEVEL_ORDER = ("省级", "市级", "县级", "区级")


def ordered_levels(levels) -> list[str]:
    """The given levels top down, any unknown ones after them in sorted order."""
    present = set(levels)
    return [lv for lv in LEVEL_ORDER if lv in present] + sorted(lv for lv in present if lv not in LEVEL_ORDER)
