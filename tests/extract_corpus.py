"""A generated corpus of self-evaluation reports, each with the figures it must yield.

Varied on purpose: prose styles, tables, 元 and 万元 mixed, several years, a missing unit
name, an external evaluation, distractor numbers (counts, phone numbers, document numbers,
targets, changes, project spending) and a figure stated twice two different ways, which must
give no figure (and a note). `python tests/extract_corpus.py` prints precision and recall.
"""
from __future__ import annotations

import random
from decimal import Decimal

CITIES = [("河南", "洛阳市"), ("河南", "安阳市"), ("甘肃", "天水市"), ("湖北", "宜昌市"), ("四川", "绵阳市")]
COUNTIES = ["汝阳县", "涧西区", "麦积区", "当阳市", "江油市"]
BUREAUS = ["教育局", "农业农村局", "自然资源局", "政务服务和大数据管理局", "卫生健康委员会", "文化广电和旅游局"]
DIMENSIONS = [("决策", 10), ("过程", 30), ("产出", 30), ("效益", 30)]
GRADES = [(90, "优"), (80, "良"), (60, "中"), (0, "差")]
DISTRACTORS = [
    "全年办理业务164.43万件，服务群众8000余人次，咨询电话0379-63221234。",
    "依据《财政支出绩效评价办法》（豫财预〔2010〕138号）开展自评。",
    "绩效目标为预算执行率≥90%，结转结余率≤10%。",
    "年度目标：预算执行率不低于95%，三公经费控制率不超过100%。",
    "截至2023年3月15日，已完成整改事项12项，整改率100%。",
    "比上年预算增加12.5万元，增长3.2%，主要原因是人员调资。",
    "其中基本支出412.3万元，项目支出120万元。",
    "培训经费实际支出3.6万元，用于业务培训30余次。",
]


def _money(rng, low, high) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _yuan(value: Decimal) -> str:
    return format((value * 10000).quantize(Decimal("0.01")), "f")


def _full_width(value: Decimal) -> str:
    return str(value).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


def _grade(score: Decimal) -> str:
    return next(g for floor, g in GRADES if score >= floor)


def make_report(seed: int) -> tuple[str, str, dict]:
    """(file name, text, truth); truth maps (year, key) → value and lists the unit name."""
    rng = random.Random(seed)
    province, city = rng.choice(CITIES)
    place = rng.choice([city, city, rng.choice(COUNTIES)])
    name = place + rng.choice(BUREAUS)
    named = seed % 7 != 3
    external = seed % 9 == 4
    years = [2020 + seed % 4] if seed % 3 else [2020 + seed % 3, 2021 + seed % 3, 2022 + seed % 3]
    main = years[-1]
    truth: dict = {"unit_name": name if named else None, "figures": {}, "conflict": [], "years": years}
    title = f"{name}{main}年度部门整体支出绩效{'评价' if external else '自评'}报告" if named else "部门整体绩效自评报告"
    who = name if named else "我单位"
    lines = [title, "", "一、基本情况", f"{who}主要职责是贯彻落实{province}省委、{city}委的决策部署。"]
    if place != city and named:
        lines.append(f"根据{city}{place}的工作安排，开展本年度工作。")
    lines.append(rng.choice(DISTRACTORS))
    lines.append("二、部门资金情况")
    style = rng.choice(["prose", "prose", "yuan", "table", "form"]) if len(years) == 1 else rng.choice(["yuan", "table", "prose"])
    table_unit = rng.choice(["单位：万元", "金额单位：元", "（万元）", "（元）", ""])
    table_rows = []
    for n, year in enumerate(years, start=1):
        initial = _money(rng, 200, 5000)
        adjusted = initial + _money(rng, 0, 800) if rng.random() < 0.7 else None
        budget = adjusted or initial
        spend = (budget * Decimal(rng.randint(55, 104)) / 100).quantize(Decimal("0.01"))
        rate = (spend / budget * 100).quantize(Decimal("0.01"))
        figures = {"initial_budget": initial, "actual_spend": spend}
        if adjusted is not None:
            figures["adjusted_budget"] = adjusted
        if len(years) > 1:
            lines.append(f"{n}.{year}年度收支情况")
        if style == "prose":
            phrasing = rng.choice(["plain", "mid_year", "commas", "full_width", "arranged"])
            if phrasing == "plain":
                text = f"{year}年部门年初预算为{initial}万元，"
                text += f"调整预算数为{adjusted}万元，" if adjusted is not None else ""
                lines.append(text + f"预算执行数为{spend}万元，预算执行率为{rate}%。")
            elif phrasing == "mid_year" and adjusted is not None:
                lines.append(f"我单位{year}年年初预算资金{initial}万元；经年中调整，增加预算资金{adjusted - initial}万元；"
                             f"全年预算资金总额{adjusted}万元。全年实际执行数为{spend}万元，预算执行率为{rate}%。")
            elif phrasing == "commas":
                text = f"{year}年度，{who}年初批复预算{initial:,}万元，"
                text += f"全年预算数为{adjusted:,}万元，" if adjusted is not None else ""
                lines.append(text + f"实际支出{spend:,}万元，部门预算执行率达到{rate}%。")
            elif phrasing == "full_width":
                text = f"{year}年年初预算数为{_full_width(initial)}万元，"
                text += f"调整后预算数为{_full_width(adjusted)}万元，" if adjusted is not None else ""
                lines.append(text + f"实际支出数{_full_width(spend)}万元，预算执行率为{_full_width(rate)}％。")
            else:                          # wording this extractor does not know: counts against recall
                truth["unknown_wording"] = True
                text = f"{year}年预算安排{initial}万元，"
                text += f"年中调整为{adjusted}万元，" if adjusted is not None else ""
                lines.append(text + f"全年支出合计{spend}万元，预算执行率为{rate}%。")
            truth["figures"][(year, "rate:execution_rate")] = rate / 100
        elif style == "form":                 # only in the self-evaluation form (自评表), with a title row
            lines += ["附表", f"{year}年度部门整体支出绩效自评表（金额单位：万元）\t\t",
                      "年度预算申请\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
                      f"年度资金总额\t{initial}\t{budget}\t{spend}\t10\t{rate}%\t{min(rate / 10, Decimal(10)):.2f}",
                      f"其中：财政拨款\t{initial}\t{budget}\t{spend}\t—\t—\t—", ""]
            figures["adjusted_budget"] = budget
            truth["figures"][(year, "rate:execution_rate")] = rate / 100
        elif style == "yuan":
            lines.append(f"{year}年预算支出总额{_yuan(initial)}元。")
            if adjusted is not None:
                lines.append(f"经年中调整，{year}年全年预算总额{adjusted}万元。")
            lines.append(f"{year}年{who}实际支出{Decimal(_yuan(spend)):,}元。")
        else:
            in_yuan = "元" in table_unit and "万元" not in table_unit
            cell = _yuan if in_yuan else str
            table_rows.append([f"{year}年", cell(initial), cell(adjusted) if adjusted else "—", cell(spend)])
        if rng.random() < 0.5:
            received = (budget * Decimal(rng.randint(80, 100)) / 100).quantize(Decimal("0.01"))
            arrival = (received / budget * 100).quantize(Decimal("0.01"))
            lines.append(f"截至{year}年12月31日，部门年度预算实际到位资金{received}万元，资金到位率{arrival}%。")
            figures["funds_received"] = received
            truth["figures"][(year, "rate:funds_arrival_rate")] = arrival / 100
        if rng.random() < 0.5:
            carry = (budget - spend).quantize(Decimal("0.01"))
            if carry > 0:
                lines.append(rng.choice([f"{year}年我单位年底结转结余{carry}万元。",
                                         f"根据{year}年部门决算报表，部门本年度结转结余总额为{carry}万元。"]))
                figures["carryover"] = carry
        if rng.random() < 0.4:
            s_budget, s_actual = _money(rng, 2, 30), _money(rng, 1, 35)
            lines.append(f"{year}年三公经费预算数{s_budget}万元，“三公”经费实际支出数{s_actual}万元。")
            figures.update(sangong_budget=s_budget, sangong_actual=s_actual)
        if rng.random() < 0.3:
            lines.append(f"{year}年部门培训项目经费实际支出{_money(rng, 1, 20)}万元。")
        for key, value in figures.items():
            truth["figures"][(year, key)] = value
    if table_rows:
        header = ["年度", "年初预算数", "调整后预算数", "实际支出数"]
        if table_unit.startswith("（"):
            header = header[:1] + [h + table_unit for h in header[1:]]
        elif table_unit:
            lines.append(table_unit)
        lines += ["\t".join(header), *["\t".join(r) for r in table_rows], ""]
        for row in table_rows:
            if row[2] == "—":
                truth["figures"].pop((int(row[0][:4]), "adjusted_budget"), None)
    if seed % 5 == 2:                      # the same figure stated twice, two different ways
        year = years[-1]
        first = truth["figures"].pop((year, "initial_budget"))
        lines.append(f"经核对，{year}年年初预算资金{first + Decimal('37.5')}万元。")
        truth["conflict"].append((year, "initial_budget"))
    if seed % 6 == 1 and not truth.get("unknown_wording"):   # the same figure stated twice, rounded once
        year = years[-1]
        lines.append(f"{year}年年初预算{truth['figures'][(year, 'initial_budget')].quantize(Decimal('0.1'))}万元。"
                     if (year, "initial_budget") in truth["figures"] else "")
    lines.append(rng.choice(DISTRACTORS))
    lines.append("三、综合评价结论")
    scores = [(d, m, Decimal(rng.randint(int(m * 60), m * 100)) / 100) for d, m in DIMENSIONS]
    total = sum(s for _, _, s in scores)
    key, gkey = ("evaluation_score", "evaluation_grade") if external else ("self_score", "grade")
    grade = _grade(total)
    wording = rng.choice(["quoted", "plain", "table_only"]) if not external else rng.choice(["group", "third_party"])
    if wording == "group":
        lines.append("评价工作组查阅资料并实地核查后认为部门管理规范。")
        lines.append(f"经综合评价，该部门整体评价综合得分{total}分，绩效级别评定为“{grade}”。")
    elif wording == "third_party":
        grade = {"优": "优秀", "良": "良好", "中": "中等", "差": "较差"}[grade]
        lines.append(f"经第三方机构评价，部门整体支出绩效得分{total}分，评价等级为{grade}。")
    elif wording == "quoted":
        lines.append(f"{main}年度{who}整体自评得分为{total}分，评价等级为“{grade}”。"
                     + "其中，" + "，".join(f"{d}指标得分{s}分" for d, _, s in scores) + "。")
    elif wording == "plain":
        grade = {"优": "优秀", "良": "良好", "中": "中等", "差": "较差"}[grade]
        lines.append(f"{main}年度自评总分{total}分，等级为{grade}。"
                     + "其中，" + "，".join(f"{d}满分{m}分，实得{s}分" for d, m, s in scores) + "。")
    else:                                  # the total only in the table's 合计 row: not read (recall)
        lines.append(f"{main}年度部门整体支出绩效自评情况见下表。")
    with_table = external or wording in ("table_only", "plain") or rng.random() < 0.5
    if with_table:
        lines += ["一级指标\t分值\t得分", *[f"{d}\t{m}\t{s}" for d, m, s in scores], f"合计\t100\t{total}", ""]
    truth["scores"] = [(d, m if with_table or wording == "plain" else None, s) for d, m, s in scores]
    truth["figures"][(main, key)] = total
    if wording != "table_only":
        truth["figures"][(main, gkey)] = grade
    truth["score_year"] = main
    if rng.random() < 0.5:
        budget, spend = _money(rng, 10, 200), _money(rng, 1, 10)
        lines.append("四、存在的问题")
        lines.append(f"如，信息化建设项目申请预算金额为{budget}万元，实际支出为{spend}万元，预算执行率为"
                     f"{(spend / budget * 100).quantize(Decimal('0.01'))}%。")
        truth["projects"] = [("信息化建设项目", budget, spend, main)]
    elif rng.random() < 0.6:
        rows = [(f"{name}项目", _money(rng, 5, 300)) for name in rng.sample(["档案数字化", "办公楼维修", "业务培训", "宣传"], 3)]
        rows = [(n, b, (b * Decimal(rng.randint(30, 100)) / 100).quantize(Decimal("0.01"))) for n, b in rows]
        lines += ["四、项目支出情况", "项目名称\t预算数（万元）\t实际支出数（万元）",
                  *[f"{n}\t{b}\t{a}" for n, b, a in rows],
                  f"合计\t{sum(b for _, b, _ in rows)}\t{sum(a for _, _, a in rows)}", ""]
        truth["projects"] = [(n, b, a, main) for n, b, a in rows]
    return f"corpus_{seed:02d}.txt", "\n".join(lines) + "\n", truth


def score(records: list[dict], truth: dict) -> tuple[int, int, int, list[str]]:
    """(correct, wrong, expected) over figures, rates, scores and projects; wrong ones listed."""
    correct = wrong = 0
    problems = []
    expected = len(truth["figures"]) + len(truth["scores"]) + len(truth.get("projects", []))
    for r in records:
        if r["unit_name"] != truth["unit_name"]:
            wrong += 1
            problems.append(f"unit_name {r['unit_name']!r} != {truth['unit_name']!r}")
        got = {(r["year"], k): v for k, v in r["figures"].items() if v is not None}
        got.update({(r["year"], f"rate:{s['metric']}"): s["value"] for s in r["stated_rates"]})
        for where, value in got.items():
            want = truth["figures"].get(where)
            if want is not None and (value == want or (not isinstance(value, str) and Decimal(str(value)) == want)):
                correct += 1
            else:
                wrong += 1
                problems.append(f"{where}: {value} (expected {want})")
        for where in truth["conflict"]:
            if (r["year"], where[1]) == where and not any("不同的数" in n for n in r["notes"]):
                problems.append(f"{where}: conflict without a note")
                wrong += 1
        for s in r["scores"]:
            want = [t for t in truth["scores"] if t[0] == s["dimension"]]
            if r["year"] == truth["score_year"] and want and Decimal(str(s["score"])) == want[0][2] and \
                    (s["max_score"] is None or Decimal(str(s["max_score"])) == want[0][1]):
                correct += 1
            else:
                wrong += 1
                problems.append(f"score {s}")
        for p in r["projects"]:
            got = (p["project_name"], Decimal(str(p["budget"])), Decimal(str(p["actual_spend"])), r["year"])
            if got in truth.get("projects", []):
                correct += 1
            else:
                wrong += 1
                problems.append(f"project {p}")
    return correct, wrong, expected, problems


def corpus(count: int = 48):
    return [make_report(seed) for seed in range(count)]


def measure(count: int = 48) -> dict:
    from perfdash.extract import extract_text, to_json

    correct = wrong = expected = 0
    problems = []
    for name, text, truth in corpus(count):
        c, w, e, p = score(to_json(extract_text(text, name)), truth)
        correct, wrong, expected = correct + c, wrong + w, expected + e
        problems += [f"{name}: {x}" for x in p]
    return {"reports": count, "extracted": correct + wrong, "correct": correct, "expected": expected,
            "precision": correct / (correct + wrong) if correct + wrong else 1.0,
            "recall": correct / expected if expected else 1.0, "problems": problems}


if __name__ == "__main__":
    result = measure()
    print(f"{result['reports']} reports: {result['extracted']} figures extracted, {result['correct']} correct "
          f"of {result['expected']} stated — precision {result['precision']:.4f}, recall {result['recall']:.4f}")
    for problem in result["problems"]:
        print("  ", problem)
