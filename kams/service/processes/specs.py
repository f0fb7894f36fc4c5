"""The default business processes (业务流程管理, SVC-12) as compact data.

``scripts/bpmn_gen.py`` turns every entry of ``PROCESSES`` into ``<key>.bpmn`` next to this
file (BPMN 2.0 with lanes, SpiffWorkflow properties and a diagram layout); docs/processes.md
explains the conventions and where each step and time limit comes from. The .bpmn files are
what the engine runs; edit this file and regenerate rather than editing the XML by hand
(``python scripts/bpmn_gen.py``; ``--check`` in CI). Administrators may still upload changed
files made with any BPMN modeler.

Only data and small constructors here: no Django, no imports from KAMS.

A node is a dict with ``id``, ``type`` (start, end, task, gateway, call) and ``lane`` (a role
code). A task carries its properties (``time_limit`` ISO-8601, ``calendar``, ``escalate_to``,
``name_en``, ``form``, ``action``, ``spawn``) plus two documentation keys the generator does
not write into the BPMN: ``seed_limit`` (the time limit as the seed writes it, None when
designed) and ``source`` (the seed's words, or why the step was designed). A flow is
``(source, target)`` or ``(source, target, condition, label)``; on a gateway the one flow with
condition None is the default.
"""

ROLES = (
    "account_manager", "customer_rep", "business_manager", "director", "province_director",
    "company_leader", "finance", "technician", "maintenance", "club_staff", "channel_manager",
)

# Escalation chain after a step's deadline, by the step's role; a process or a step may override.
# Staff escalate to their centre director and then the company leader (the seed's complaint
# ladder 客戶經理 → 中心總監 → 公司領導); a leader's overdue step is raised with the province
# group-customer department, which chases it.
ESCALATION = {
    "customer_rep": "account_manager,director",
    "account_manager": "director,company_leader",
    "business_manager": "director,company_leader",
    "technician": "director,company_leader",
    "maintenance": "director,company_leader",
    "finance": "director,company_leader",
    "director": "company_leader",
    "province_director": "company_leader",
    "company_leader": "province_director",
    "club_staff": "province_director,company_leader",
    "channel_manager": "province_director,company_leader",
}

DESIGNED = "designed: no time limit in the seed"
CUT_OFF = "designed: seed cut off"


def _f(name, type_, label, label_en, required=True, choices=None):
    field = {"name": name, "type": type_, "label": label, "label_en": label_en, "required": required}
    if choices:
        field["choices"] = [list(c) for c in choices]
    return field


def _t(id_, lane, name, name_en, limit, seed_limit, source, form=(), **extra):
    node = {"id": id_, "type": "task", "lane": lane, "name": name, "name_en": name_en, "time_limit": limit,
            "seed_limit": seed_limit, "source": source, "form": list(form)}
    node.update(extra)
    return node


def _g(id_, lane, name):
    return {"id": id_, "type": "gateway", "lane": lane, "name": name}


def _call(id_, lane, name, called, seed_limit=None, source=""):
    return {"id": id_, "type": "call", "lane": lane, "name": name, "called": called,
            "seed_limit": seed_limit, "source": source}


def _start(lane, name, id_="start"):
    return {"id": id_, "type": "start", "lane": lane, "name": name}


def _end(lane, name="", id_="end"):
    return {"id": id_, "type": "end", "lane": lane, "name": name}


Y, N = "是", "否"


def _yes(source, target, condition):
    return (source, target, condition, Y)


def _no(source, target):
    return (source, target, None, N)


_NOTE = _f("note", "textarea", "备注", "Note", required=False)
_MESSAGE = _f("message", "textarea", "通知客户短信内容", "Text message to the customer")

# ---------------------------------------------------------------------------------------------
# Green channel: 業務受理流程 → 合同簽定流程 → 工程實施流程 → 開通流程
# ---------------------------------------------------------------------------------------------

_VA = "業務受理流程"
VISIT_ACCEPTANCE = {
    "key": "visit_acceptance", "name": "客户走访及业务办理流程", "name_en": "Customer visit and business acceptance",
    "channel": "green", "calendar": "working", "flowchart": _VA,
    "start_form": [
        _f("request_summary", "textarea", "客户申请/任务工单内容", "Customer request or work order"),
        _f("request_kind", "choice", "业务类型", "Kind of request", choices=[
            ("new", "新业务受理", "New service"), ("change", "业务变更", "Service change"),
            ("value_added", "开通增值业务", "Value-added service"), ("other", "其他", "Other")]),
    ],
    "lanes": ["customer_rep", "account_manager", "technician"],
    "nodes": [
        _start("customer_rep", "受理客户申请或任务工单"),
        _t("contact", "customer_rep", "客户代表上门接触客户", "Visit the customer", "P3D", "3天",
           f"{_VA}: 客戶代表上門接觸客戶", [
               _f("visit_date", "date", "上门日期", "Date of the visit"),
               _f("contact_person", "text", "接洽人", "Customer contact met")]),
        _t("collect", "customer_rep", "基本资料收集", "Collect the basic customer data", "P2D", "2天",
           f"{_VA}: 基本資料收集", [
               _f("customer_profile", "textarea", "客户基本资料(资源、资费政策、优惠措施)",
                  "Customer profile (resources, tariffs, discounts)")]),
        _t("analyse", "customer_rep", "分析客户基本需求", "Analyse the customer's basic needs", "P1D", "1天",
           f"{_VA}: 分析客戶基本需求", [_f("basic_needs", "textarea", "客户基本需求", "Basic needs")]),
        _t("talk", "customer_rep", "再次上门与客户交流意见", "Second visit to discuss", "P1D", "1天",
           f"{_VA}: 再次上門與客戶交流意見; 達成初步意向?", [
               _f("initial_intent", "bool", "达成初步意向?", "Preliminary agreement reached?"),
               _f("talk_notes", "textarea", "交流记录", "Notes of the discussion", required=False)]),
        _g("gw_intent", "customer_rep", "达成初步意向?"),
        _t("clarify", "account_manager", "客户代表、客户经理、技术人员上门,明确需求",
           "Visit with the technician to pin down the needs", "P1D", "1天",
           f"{_VA}: 客戶代表、客戶經理技術人員上門,明確需求",
           [_f("clarified_needs", "textarea", "明确的需求", "Needs agreed with the customer")]),
        _t("needs_doc", "account_manager", "填写客户基本需求书", "Write the customer requirements form", "P1D", "1天",
           f"{_VA}: 填寫客戶基本需求書",
           [_f("requirements_doc", "textarea", "客户基本需求书", "Customer requirements form")]),
        _t("tech_plan", "technician", "拟定方案需求,制定技术实现方案", "Draw up the technical solution", "P3D", "3天",
           f"{_VA}: 擬定方案需求,交技術部門制定技術實現方案", [
               _f("tech_solution", "textarea", "技术实现方案", "Technical solution"),
               _f("resource_survey", "textarea", "资源调查结果", "Resource survey", required=False)]),
        _t("plan_review", "technician", "与技术、财务部门共同进行方案论证", "Review the solution with finance",
           "P1D", "1天", f"{_VA}: 與技術、財務部門共同進行方案論證; 論證通過?; 項目可行性論證?", [
               _f("review_passed", "bool", "论证通过?", "Solution approved?"),
               _f("project_feasible", "bool", "项目可行(修改方案后再论证)?", "Project feasible (rework the solution)?",
                  required=False),
               _f("feasibility_report", "textarea", "可行性分析报告", "Feasibility report", required=False)]),
        _g("gw_review", "technician", "论证通过?"),
        _g("gw_feasible", "technician", "项目可行性论证?"),
        _t("submit_plan", "account_manager", "向客户提交技术方案", "Present the solution to the customer",
           "P1D", "1天", f"{_VA}: 向客戶提交技術方案; 客戶滿意?", [
               _f("customer_satisfied", "bool", "客户满意?", "Customer satisfied?"),
               _f("customer_feedback", "textarea", "客户意见", "Customer feedback", required=False)]),
        _g("gw_satisfied", "account_manager", "客户满意?"),
        _t("sign_intent", "account_manager", "签署合同意向书", "Sign the letter of intent", "P1D", "1天",
           f"{_VA}: 簽署合同意向書 → P1 (合同簽定流程)", [
               _f("intent_signed_on", "date", "意向书签署日期", "Letter of intent signed on"),
               _f("intent_summary", "textarea", "合同意向内容", "What the letter of intent covers")],
           action="spawn_case", spawn="contract_signing"),
        _t("archive", "customer_rep", "客户资料归档并列入潜在大客户库", "File the customer as a potential key account",
           "P1D", None, f"{DESIGNED}; {_VA}: 客戶資料歸檔并列入潛在大客戶庫",
           [_f("archive_reason", "textarea", "终止原因", "Why the project stops")]),
        _end("account_manager", "转合同签定流程", "end_intent"),
        _end("customer_rep", "列入潜在大客户库", "end_potential"),
    ],
    "flows": [
        ("start", "contact"), ("contact", "collect"), ("collect", "analyse"), ("analyse", "talk"),
        ("talk", "gw_intent"), _yes("gw_intent", "clarify", "initial_intent == True"), _no("gw_intent", "archive"),
        ("clarify", "needs_doc"), ("needs_doc", "tech_plan"), ("tech_plan", "plan_review"), ("plan_review", "gw_review"),
        _yes("gw_review", "submit_plan", "review_passed == True"), _no("gw_review", "gw_feasible"),
        _yes("gw_feasible", "tech_plan", "project_feasible == True"), _no("gw_feasible", "archive"),
        ("submit_plan", "gw_satisfied"), _yes("gw_satisfied", "sign_intent", "customer_satisfied == True"),
        _no("gw_satisfied", "tech_plan"),
        ("sign_intent", "end_intent"), ("archive", "end_potential"),
    ],
}

_CS = "合同簽定流程"
CONTRACT_SIGNING = {
    "key": "contract_signing", "name": "合同签定流程", "name_en": "Contract signing",
    "channel": "green", "calendar": "working", "flowchart": _CS,
    "start_form": [_f("contract_subject", "text", "合同事项", "What the contract is for")],
    "lanes": ["account_manager", "business_manager", "finance", "director", "company_leader", "customer_rep"],
    "nodes": [
        _start("account_manager", "合同意向已达成"),
        _t("draft", "account_manager", "查询合同模板,拟定正式合同文本", "Draft the contract from a template",
           "P1D", "1天", f"{_CS}: 擬定正式合同文本", [
               _f("contract_id", "int", "合同记录编号(客户合同中登记的草稿)", "Contract record number (draft on the customer)"),
               _f("contract_summary", "textarea", "合同要点", "Main terms", required=False)]),
        _t("countersign_business", "business_manager", "提交业务部门会签(律师参与)",
           "Countersignature by the business department (with the lawyer)", "P0.5D", "半天",
           f"{_CS}: 提交業務部門會簽(律師參與)",
           [_f("business_opinion", "textarea", "业务部门会签意见", "Business department's opinion", required=False)]),
        _t("countersign_finance", "finance", "提交财务部门会签", "Countersignature by finance", "P0.5D", "半天",
           f"{_CS}: 提交財務部門會簽",
           [_f("finance_opinion", "textarea", "财务部门会签意见", "Finance's opinion", required=False)]),
        _t("customer_review", "account_manager", "提交合同文本给客户审核", "Customer reviews the contract text",
           "P1D", None, f"{DESIGNED}; {_CS}: 客戶審核通過?; prose 合同簽訂: 提交合同文本給客戶審核.如果客戶不滿意,修改合同文本", [
               _f("contract_customer_ok", "bool", "客户审核通过?", "Customer accepts the text?"),
               _f("customer_changes", "textarea", "客户修改意见", "Changes the customer asks for", required=False)]),
        _g("gw_customer", "account_manager", "客户审核通过?"),
        _t("director_review", "director", "大客户发展中心总监审核", "Key-account centre director reviews",
           "P0.5D", "半天", f"{_CS}: 大客戶發展中心總監審核; prose: 超出權限,報分管領導審批", [
               _f("contract_director_ok", "bool", "总监审核通过?", "Director approves?"),
               _f("contract_over_authority", "bool", "超出总监审批权限?", "Beyond the director's authority?",
                  required=False)]),
        _g("gw_director", "director", "总监审核通过?"),
        _g("gw_authority", "director", "超出权限?"),
        _t("leader_approve", "company_leader", "公司主管及最高领导批准", "Company leadership approves",
           "P0.5D", "半天", f"{_CS}: 公司主管及最高領導批準",
           [_f("contract_leader_ok", "bool", "领导批准?", "Leadership approves?")]),
        _g("gw_leader", "company_leader", "领导批准?"),
        _t("sign", "account_manager", "经公司领导授权,大客户发展中心与客户签署正式合同文本",
           "Sign the contract with the customer", "P1D", None,
           f"{DESIGNED}; {_CS}: 經公司領導授權大客戶發展中心與客戶簽署正式合同文本",
           [_f("signed_on", "date", "签署日期", "Signed on")], action="contract_sign"),
        _t("archive", "customer_rep", "合同存档", "File the contract", "P0.5D", None, f"{DESIGNED}; {_CS}: 合同存檔",
           [_f("archive_location", "text", "存档位置", "Where it is filed", required=False)]),
        _end("customer_rep", "合同生效"),
    ],
    "flows": [
        ("start", "draft"), ("draft", "countersign_business"), ("countersign_business", "countersign_finance"),
        ("countersign_finance", "customer_review"), ("customer_review", "gw_customer"),
        _yes("gw_customer", "director_review", "contract_customer_ok == True"), _no("gw_customer", "draft"),
        ("director_review", "gw_director"),
        _yes("gw_director", "gw_authority", "contract_director_ok == True"), _no("gw_director", "draft"),
        _yes("gw_authority", "leader_approve", "contract_over_authority == True"), _no("gw_authority", "sign"),
        ("leader_approve", "gw_leader"),
        _yes("gw_leader", "sign", "contract_leader_ok == True"), _no("gw_leader", "draft"),
        ("sign", "archive"), ("archive", "end"),
    ],
}

_EN = "工程實施流程"
ENGINEERING = {
    "key": "engineering", "name": "工程实施流程", "name_en": "Engineering works",
    "channel": "green", "calendar": "working", "flowchart": _EN,
    "start_form": [_f("project_name", "text", "工程项目名称", "Project name")],
    "lanes": ["account_manager", "technician", "maintenance", "finance"],
    "nodes": [
        _start("account_manager", "合同已签定,需工程施工"),
        _t("apply", "account_manager", "向业务部门提出开工申请并向相关部门申请准备电路资源",
           "Request the works and the circuit resources", "P1D", None,
           f"{DESIGNED}; {_EN}: 向業務部門提出開工申請并向相關部門申請準備電路資源",
           [_f("work_request", "textarea", "开工申请与电路资源需求", "Works request and circuits needed")]),
        _t("build", "technician", "工程部门按合同确定的施工方案施工", "Build to the contracted plan",
           "P10D", "按合同規定時限", f"按合同規定時限 (default P10D) — {_EN}: 工程部門按合同確定的施工方案施工", [
               _f("construction_plan", "textarea", "施工方案", "Construction plan", required=False),
               _f("completed_on", "date", "完工日期", "Completed on")]),
        _t("track", "account_manager", "大客户发展中心跟踪施工过程", "Follow the works", "P0.5D", None,
           f"{DESIGNED}; {_EN}: 大客戶發展中心跟蹤施工過程",
           [_f("progress_notes", "textarea", "施工跟踪记录", "Progress notes", required=False)]),
        _t("joint_test", "maintenance", "电路联调", "Circuit joint test", "P1D", None,
           f"{DESIGNED}; {_EN}: 電路聯調; 聯調成功", [_f("joint_test_ok", "bool", "联调成功?", "Joint test passed?")]),
        _g("gw_joint", "maintenance", "联调成功?"),
        _t("acceptance", "account_manager", "大客户发展中心与工程部门及大客户共同进行工程验收",
           "Acceptance with the works department and the customer", "P2D", "2天",
           f"2天 — {_EN}: 共同進行工程驗收; 驗收合格?", [
               _f("acceptance_ok", "bool", "验收合格?", "Accepted?"),
               _f("acceptance_notes", "textarea", "验收记录", "Acceptance notes", required=False)]),
        _g("gw_accept", "account_manager", "验收合格?"),
        _t("rectify", "technician", "按合同内容整改", "Put right to the contract", "P3D", "3天",
           f"3天 — {_EN}: 按合同內容整改", [_f("rectification", "textarea", "整改内容", "What was put right")]),
        _t("archive_notify", "technician", "资料存档并通知大客户发展中心及相关维护部门",
           "File the as-built records, notify the centre and maintenance", "P1D", "1天",
           f"1天 — {_EN}: 資料存檔并通知大客戶發展中心,及相關維護部門",
           [_f("as_built", "textarea", "竣工资料", "As-built records", required=False)]),
        _t("settle", "finance", "工程结算", "Settle the works", "P3D", None, f"{DESIGNED}; {_EN}: 工程結算",
           [_f("settled_amount", "decimal", "结算金额(元)", "Settled amount (yuan)")]),
        _end("finance", "工程完成"),
    ],
    "flows": [
        ("start", "apply"), ("apply", "build"), ("build", "track"), ("track", "joint_test"), ("joint_test", "gw_joint"),
        _yes("gw_joint", "acceptance", "joint_test_ok == True"), _no("gw_joint", "rectify"),
        ("acceptance", "gw_accept"), _yes("gw_accept", "archive_notify", "acceptance_ok == True"),
        _no("gw_accept", "rectify"), ("rectify", "joint_test"),
        ("archive_notify", "settle"), ("settle", "end"),
    ],
}

_AO = "其它業務開通流程"
ACTIVATION_OTHER = {
    "key": "activation_other", "name": "其它业务开通流程", "name_en": "Service activation (other services)",
    "channel": "green", "calendar": "working", "flowchart": _AO,
    "start_form": [_f("service_requested", "textarea", "申请开通的业务", "Services to activate")],
    "lanes": ["customer_rep", "account_manager", "finance", "maintenance"],
    "nodes": [
        _start("customer_rep", "客户提出开通申请"),
        _t("accept_request", "customer_rep", "受理客户开通申请", "Take the activation request", "PT30M", "30分鐘",
           f"30分鐘 — {_AO}: 客戶提出開通申請; 合同簽定?; 需工程實施?", [
               _f("act_contract_signed", "bool", "合同已签定?", "Contract signed?"),
               _f("act_need_engineering", "bool", "需工程实施?", "Engineering works needed?")]),
        _g("gw_contract", "customer_rep", "合同签定?"),
        _t("urge", "account_manager", "督促签定合同", "Press for the contract", "PT10M", "即時",
           f"即時 (PT10M) — {_AO}: 督促簽定合同",
           [_f("urge_notes", "textarea", "督促记录", "Notes", required=False)]),
        _call("call_contract", "account_manager", "合同签定流程", "contract_signing", None,
              f"designed: {_AO}: 督促簽定合同 is followed by 合同簽定流程"),
        _g("gw_engineering", "account_manager", "需工程实施?"),
        _call("call_engineering", "account_manager", "进入工程实施流程", "engineering", None,
              f"{_AO}: 需工程實施? Y → 進入工程實施流程"),
        _t("collect", "finance", "按合同收款", "Collect payment per contract", "P3.5D", "3天半",
           f"3天半 — {_AO}: 按合同收款", [_f("received_amount", "decimal", "收款金额(元)", "Amount received (yuan)")]),
        _t("check", "finance", "公司财务核对", "Finance checks the payment", "PT2H", "2小時",
           f"2小時 — {_AO}: 公司財務核對; 單款相符?", [_f("act_amount_matches", "bool", "单款相符?", "Payment matches the bill?")]),
        _g("gw_match", "finance", "单款相符?"),
        _t("correct", "finance", "重新修正", "Correct the discrepancy", "PT2H", None, f"{DESIGNED}; {_AO}: 重新修正",
           [_f("correction", "textarea", "修正内容", "What was corrected")]),
        _t("invoice", "finance", "向大客户出具发票", "Issue the invoice", "PT1H", "1小時",
           f"1小時 — {_AO}: 向大客戶出具發票", [_f("invoice_no", "text", "发票号", "Invoice number")]),
        _t("record", "customer_rep", "录入客户资料", "Enter the customer data", "PT10M", "10分鐘",
           f"10分鐘 — {_AO}: 錄入客戶資料", [_f("service_numbers", "textarea", "开通的号码/电路", "Numbers or circuits")]),
        _t("open", "maintenance", "正式开通业务", "Activate the service", "PT30M", "30分鐘",
           f"30分鐘 — {_AO}: 正式開通業務", [_f("opened_at", "datetime", "开通时间", "Activated at")]),
        _t("notify", "account_manager", "通知客户业务开通(开通日期、交费日期)", "Tell the customer the service is on",
           "PT30M", None, f"{DESIGNED}; prose 開通通知: 確定開通日期和交費日期,進行業務開通確認", [_MESSAGE],
           action="notify_customer"),
        _end("account_manager", "业务已开通"),
    ],
    "flows": [
        ("start", "accept_request"), ("accept_request", "gw_contract"),
        _yes("gw_contract", "gw_engineering", "act_contract_signed == True"), _no("gw_contract", "urge"),
        ("urge", "call_contract"), ("call_contract", "gw_engineering"),
        _yes("gw_engineering", "call_engineering", "act_need_engineering == True"), _no("gw_engineering", "collect"),
        ("call_engineering", "collect"), ("collect", "check"), ("check", "gw_match"),
        _yes("gw_match", "invoice", "act_amount_matches == True"), _no("gw_match", "correct"), ("correct", "check"),
        ("invoice", "record"), ("record", "open"), ("open", "notify"), ("notify", "end"),
    ],
}

_AD = "數據業務開通流程"
_AD_SRC = "designed: the seed's 數據業務開通流程 gives no time limits; taken from 其它業務開通流程"
ACTIVATION_DATA = {
    "key": "activation_data", "name": "数据业务开通流程", "name_en": "Service activation (data services)",
    "channel": "green", "calendar": "working", "flowchart": _AD,
    "start_form": [_f("circuit_ref", "text", "电路编号", "Circuit reference")],
    "lanes": ["maintenance", "account_manager", "finance", "customer_rep"],
    "nodes": [
        _start("maintenance", "电路联调成功"),
        _t("confirm_date", "account_manager", "发端分公司同用户确认开通日期", "Agree the activation date with the customer",
           "P1D", None, f"{_AD_SRC}; {_AD}: 發端分公司同用戶確認開通日期",
           [_f("open_date", "date", "开通日期", "Activation date")]),
        _t("confirmation", "account_manager", "发端分公司填写开通确认书", "Fill in the activation confirmation",
           "P0.5D", None, f"{_AD_SRC}; {_AD}: 發端分公司填寫開通確認書",
           [_f("confirmation_no", "text", "开通确认书编号", "Confirmation number")]),
        _t("to_finance", "account_manager", "合同及开通确认书交与财务,通知财务部门按合同收款",
           "Hand contract and confirmation to finance", "PT2H", None,
           f"{_AD_SRC}; {_AD}: 合同及開通確認書交與財務; 通知財務部門按合同收款"),
        _t("collect", "finance", "按合同收款", "Collect payment per contract", "P3.5D", None,
           f"{_AD_SRC} (3天半); {_AD}: 按合同收款",
           [_f("received_amount", "decimal", "收款金额(元)", "Amount received (yuan)")]),
        _t("check", "finance", "公司财务核对", "Finance checks the payment", "PT2H", None,
           f"{_AD_SRC} (2小時); {_AD}: 公司財務核對; 單款相符",
           [_f("data_amount_matches", "bool", "单款相符?", "Payment matches the bill?")]),
        _g("gw_match", "finance", "单款相符?"),
        _t("recheck", "finance", "通知相关部门重新核对", "Have the departments check again", "PT2H", None,
           f"{_AD_SRC}; {_AD}: 通知相關部門重新核對",
           [_f("recheck_result", "textarea", "重新核对结果", "Result of the new check")]),
        _t("invoice", "finance", "向大客户出具发票", "Issue the invoice", "PT1H", None,
           f"{_AD_SRC} (1小時); {_AD}: 向大客戶出具發票", [_f("invoice_no", "text", "发票号", "Invoice number")]),
        _t("record", "customer_rep", "录入客户资料", "Enter the customer data", "PT10M", None,
           f"{_AD_SRC} (10分鐘); {_AD}: 錄入客戶資料",
           [_f("service_numbers", "textarea", "开通的电路/业务", "Circuits or services")]),
        _t("open", "maintenance", "正式开通业务", "Activate the service", "PT30M", None,
           f"{_AD_SRC} (30分鐘); {_AD}: 正式開通業務", [_f("opened_at", "datetime", "开通时间", "Activated at")]),
        _t("notify", "account_manager", "通知客户业务开通", "Tell the customer the service is on", "PT30M", None,
           f"{DESIGNED}; prose 開通通知", [_MESSAGE], action="notify_customer"),
        _end("account_manager", "业务已开通"),
    ],
    "flows": [
        ("start", "confirm_date"), ("confirm_date", "confirmation"), ("confirmation", "to_finance"),
        ("to_finance", "collect"), ("collect", "check"), ("check", "gw_match"),
        _yes("gw_match", "invoice", "data_amount_matches == True"), _no("gw_match", "recheck"), ("recheck", "check"),
        ("invoice", "record"), ("record", "open"), ("open", "notify"), ("notify", "end"),
    ],
}

# ---------------------------------------------------------------------------------------------
# 回訪及投訴建議流程
# ---------------------------------------------------------------------------------------------

_RV = "大客戶回訪流程"
_RV_SRC = "designed: the seed's 大客戶回訪流程 gives no time limits"
REVISIT = {
    "key": "revisit", "name": "大客户回访流程", "name_en": "Key-account revisit",
    "channel": "general", "calendar": "working", "flowchart": _RV,
    "start_form": [_f("revisit_kind", "choice", "回访类型", "Kind of visit", choices=[
        ("planned", "计划回访", "Planned revisit"), ("new_customer", "新转入客户首访", "First visit of a new key account"),
        ("aftercare", "服务/故障善后回访", "After-care visit"), ("other", "其他", "Other")])],
    "lanes": ["account_manager"],
    "nodes": [
        _start("account_manager", "回访任务下达"),
        _t("plan", "account_manager", "制订大客户回访计划", "Plan the revisit", "P1D", None,
           f"{_RV_SRC}; {_RV}: 制訂大客戶回訪計劃; prose 回訪計劃管理", [
               _f("revisit_plan", "textarea", "回访计划(目的、内容、人员)", "Plan (purpose, topics, people)"),
               _f("planned_date", "date", "计划回访日期", "Planned date")]),
        _t("prepare", "account_manager", "走访、回访前准备工作", "Prepare the visit", "P1D", None,
           f"{_RV_SRC}; {_RV}: 走訪、回訪前準備工作",
           [_f("preparation", "textarea", "准备情况", "Preparation", required=False)]),
        _t("appoint", "account_manager", "客户预约", "Make the appointment", "P1D", None,
           f"{_RV_SRC}; {_RV}: 客戶預約; prose: 客戶經理預約大客戶",
           [_f("appointment_at", "datetime", "预约时间", "Appointment")]),
        _t("visit", "account_manager", "大客户走访、回访实施", "Visit the customer", "P2D", None,
           f"{_RV_SRC}; {_RV}: 大客戶走訪、回訪實施", [_f("visited_on", "date", "回访日期", "Visited on")]),
        _t("record", "account_manager", "大客户走访、回访记录", "Record the visit", "P1D", None,
           f"{_RV_SRC}; {_RV}: 大客戶走訪、回訪記錄; prose 回訪內容入庫 (客戶滿意度)", [
               _f("satisfaction", "choice", "客户满意度", "Customer satisfaction", choices=[
                   ("very_satisfied", "很满意", "Very satisfied"), ("satisfied", "满意", "Satisfied"),
                   ("neutral", "一般", "Neutral"), ("dissatisfied", "不满意", "Dissatisfied")]),
               _f("visit_record", "textarea", "回访记录", "Record of the visit"),
               _f("problems_found", "bool", "发现问题?", "Problems found?")]),
        _g("gw_problems", "account_manager", "发现问题?"),
        _t("handle", "account_manager", "处理走访、回访中发现的问题", "Deal with the problems found", "P3D", None,
           f"{_RV_SRC}; {_RV}: 處理走訪、回訪中發現的問題 (the 發現問題? decision is designed)",
           [_f("problem_handling", "textarea", "问题处理情况", "How the problems were dealt with")]),
        _t("summary", "account_manager", "做好走访、回访总结", "Write the visit summary", "P1D", None,
           f"{_RV_SRC}; {_RV}: 做好走訪、回訪總結; 發現商機?", [
               _f("summary", "textarea", "回访总结", "Summary"),
               _f("opportunity_found", "bool", "发现商机?", "Business opportunity found?")]),
        _g("gw_opportunity", "account_manager", "发现商机?"),
        _t("to_acceptance", "account_manager", "走业务受理流程", "Open a business acceptance case", "P0.5D", None,
           f"{_RV_SRC}; {_RV}: 發現商機? Y → 走業務受理流程 (P2)",
           [_f("opportunity", "textarea", "商机描述", "The opportunity")],
           action="spawn_case", spawn="visit_acceptance"),
        _end("account_manager", "回访完成"),
    ],
    "flows": [
        ("start", "plan"), ("plan", "prepare"), ("prepare", "appoint"), ("appoint", "visit"), ("visit", "record"),
        ("record", "gw_problems"), _yes("gw_problems", "handle", "problems_found == True"),
        _no("gw_problems", "summary"), ("handle", "summary"), ("summary", "gw_opportunity"),
        _yes("gw_opportunity", "to_acceptance", "opportunity_found == True"), _no("gw_opportunity", "end"),
        ("to_acceptance", "end"),
    ],
}

_CP = "大客戶投訴處理流程"
COMPLAINT = {
    "key": "complaint", "name": "大客户投诉处理流程", "name_en": "Key-account complaint handling",
    "channel": "yellow", "calendar": "working", "flowchart": _CP,
    "start_form": [
        _f("business_type", "choice", "业务类别", "Service", choices=[
            ("mobile", "移动业务", "Mobile"), ("data", "数据业务", "Data"), ("voip", "VoIP", "VoIP"),
            ("long_distance", "长途", "Long distance"), ("local", "市话", "Local calls"),
            ("leased_line", "专线租用", "Leased line"), ("other", "其他", "Other")]),
        _f("complaint_number", "text", "投诉号码", "Number complained about"),
        _f("complainant", "text", "投诉人", "Complainant"),
        _f("complaint_content", "textarea", "投诉内容", "Complaint"),
    ],
    "lanes": ["customer_rep", "account_manager", "director", "company_leader", "business_manager"],
    "nodes": [
        _start("customer_rep", "接收投诉(大客户中心、大客户热线、1001)"),
        _t("record", "customer_rep", "记录客户投诉内容并进行事件分类", "Record and classify the complaint",
           "PT10M", "即時", f"即時 (PT10M) — {_CP}: 大客戶發展中心工作人員記錄客戶投訴內容并進行事件分類", [
               _f("complaint_type", "choice", "投诉类别", "Kind of complaint", choices=[
                   ("billing", "话费", "Billing"), ("network", "网络", "Network"), ("service", "服务", "Service"),
                   ("product", "业务", "Product"), ("other", "其他", "Other")]),
               _f("handling_deadline", "datetime", "工单要求处理的最后时限", "Deadline asked for", required=False)]),
        _t("manager", "account_manager", "客户经理处理(可自行解决则解决问题)", "Account manager handles it",
           "P2D", "2天", f"2天 — {_CP}: 客戶經理可自行解決?; 可自行解決解決問題", [
               _f("manager_solved", "bool", "客户经理可自行解决?", "Solved by the account manager?"),
               _f("manager_handling", "textarea", "处理情况", "What was done", required=False)]),
        _g("gw_manager", "account_manager", "客户经理可自行解决?"),
        _t("director", "director", "中心总监处理", "Centre director handles it", "PT2H", "2小時",
           f"2小時 — {_CP}: 中心總監 (可自行解決?)", [
               _f("director_solved", "bool", "中心总监可解决?", "Solved by the director?"),
               _f("director_handling", "textarea", "处理情况", "What was done", required=False)]),
        _g("gw_director", "director", "中心总监可解决?"),
        _t("leader", "company_leader", "公司领导协调,提交相关部门配合", "Company leader has the departments help",
           "P0.5D", "半天", f"半天 — {_CP}: 公司領導; 提交相關部門配合",
           [_f("leader_instruction", "textarea", "领导批示", "Leader's instruction")]),
        _t("dept_feedback", "business_manager", "相关部门向大客户发展中心反馈相关信息",
           "Departments report back to the centre", "P0.5D", "半天",
           f"半天 — {_CP}: 相關部門向大客戶發展中心反饋相關信息",
           [_f("dept_feedback", "textarea", "相关部门反馈", "Departments' report")]),
        _t("reply", "customer_rep", "回复客户或反馈相关信息", "Reply to the customer", "PT2H", "2小時",
           f"2小時 — {_CP}: 回復客戶或反饋相關信息; 客戶滿意?; 黃色通道解決?", [
               _f("reply_content", "textarea", "回复内容", "Reply"),
               _f("complaint_satisfied", "bool", "客户满意?", "Customer satisfied?"),
               _f("yellow_can_solve", "bool", "不满意时:黄色通道可继续解决?", "If not: can the yellow channel still solve it?",
                  required=False)]),
        _g("gw_satisfied", "customer_rep", "客户满意?"),
        _g("gw_yellow", "customer_rep", "黄色通道解决?"),
        _call("red_channel", "director", "走红色通道工作流程(二级故障处理)", "fault_level2", None,
              f"{_CP}: 黃色通道解決? N → 走紅色通道工作流程"),
        _t("archive", "customer_rep", "客户需求整理归档", "File the complaint and the customer's needs", "P1D", None,
           f"{DESIGNED}; {_CP}: 客戶需求整理歸檔; prose 投訴管理: 處理結果、處理時間、處理人、客戶滿意度", [
               _f("handling_result", "textarea", "处理结果", "Outcome"),
               _f("final_satisfaction", "choice", "客户满意度", "Customer satisfaction", choices=[
                   ("satisfied", "满意", "Satisfied"), ("neutral", "一般", "Neutral"),
                   ("dissatisfied", "不满意", "Dissatisfied")])]),
        _end("customer_rep", "投诉处理完毕"),
    ],
    "flows": [
        ("start", "record"), ("record", "manager"), ("manager", "gw_manager"),
        _yes("gw_manager", "reply", "manager_solved == True"), _no("gw_manager", "director"),
        ("director", "gw_director"), _yes("gw_director", "reply", "director_solved == True"),
        _no("gw_director", "leader"), ("leader", "dept_feedback"), ("dept_feedback", "reply"),
        ("reply", "gw_satisfied"), _yes("gw_satisfied", "archive", "complaint_satisfied == True"),
        _no("gw_satisfied", "gw_yellow"),
        _yes("gw_yellow", "manager", "yellow_can_solve == True"), _no("gw_yellow", "red_channel"),
        ("red_channel", "archive"), ("archive", "end"),
    ],
}

_ST = "大客戶服務轉接流程"
SERVICE_TRANSFER = {
    "key": "service_transfer", "name": "大客户服务转接流程", "name_en": "Key-account service transfer",
    "channel": "general", "calendar": "working", "flowchart": _ST,
    "start_form": [
        _f("source_department", "text", "转出业务部门", "Department handing over"),
        _f("report_month", "text", "报表月份(YYYY-MM)", "Report month (YYYY-MM)"),
    ],
    "lanes": ["business_manager", "customer_rep", "account_manager"],
    "nodes": [
        _start("business_manager", "月度报表到期"),
        _t("report", "business_manager", "其它业务部门上交月度发展用户通信费用报表",
           "Other departments hand in the monthly call-charge report", "P0.5D", "半天",
           f"半天 — {_ST}: 其它業務部門上交月度發展用戶通信費用報表",
           [_f("report_ref", "text", "报表编号/文件", "Report reference")]),
        _t("select", "customer_rep", "业务代表按规则从报表中筛选大客户", "Pick the key accounts by the rules",
           "P0.5D", "半天", f"半天 — {_ST}: 業務代表按規則從報表中篩選大客戶 (the decision is designed)", [
               _f("meets_criteria", "bool", "符合大客户标准?", "Meets the key-account criteria?"),
               _f("selection_basis", "textarea", "筛选依据(通信费用等)", "Basis (charges etc.)", required=False)]),
        _g("gw_criteria", "customer_rep", "符合大客户标准?"),
        _t("hand_list", "customer_rep", "向其它业务部门递交被选中的大客户名单",
           "Send the selected list back to the department", "PT1H", "1小時",
           f"1小時 — {_ST}: 向其它業務部門遞交被選中的大客戶名單"),
        _t("transfer", "customer_rep", "将该客户资料转入大客户资料库", "Move the customer into the key-account base",
           "PT1H", "1小時", f"1小時 — {_ST}: 將該客戶資料轉入大客戶資料庫"),
        _t("first_contact", "account_manager", "与新转入的大客户进行首次联系", "First contact with the new key account",
           "P0.5D", "半天", f"半天 — {_ST}: 與新轉入的大客戶進行首次聯系 → 接大客戶回訪流程", [
               _f("first_contact_on", "date", "首次联系日期", "First contact on"),
               _f("contact_notes", "textarea", "联系记录", "Notes", required=False)],
           action="spawn_case", spawn="revisit"),
        _end("account_manager", "转入大客户回访流程", "end_transferred"),
        _end("customer_rep", "不符合大客户标准", "end_not_selected"),
    ],
    "flows": [
        ("start", "report"), ("report", "select"), ("select", "gw_criteria"),
        _yes("gw_criteria", "hand_list", "meets_criteria == True"), _no("gw_criteria", "end_not_selected"),
        ("hand_list", "transfer"), ("transfer", "first_contact"), ("first_contact", "end_transferred"),
    ],
}

_SG = "大客戶建議處理模型"
_SG_SRC = "designed: the seed's 大客戶建議處理模型 gives no time limits"
SUGGESTION = {
    "key": "suggestion", "name": "大客户建议处理", "name_en": "Key-account suggestion handling",
    "channel": "general", "calendar": "working", "flowchart": _SG,
    "start_form": [_f("suggestion_content", "textarea", "大客户意见、建议", "The customer's opinion or suggestion")],
    "lanes": ["customer_rep", "account_manager", "director", "business_manager"],
    "nodes": [
        _start("customer_rep", "收到大客户意见、建议"),
        _t("report", "customer_rep", "根据大客户意见、建议生成大客户建议报告", "Write the suggestion report",
           "P1D", None, f"{_SG_SRC}; {_SG}: 根據大客戶意見、大客戶建議生成大客戶建議報告",
           [_f("suggestion_report", "textarea", "建议报告", "Suggestion report")]),
        _t("analyse", "account_manager", "大客户发展中心进行分析并生成建议汇总表", "Analyse and add to the summary",
           "P2D", None, f"{_SG_SRC}; {_SG}: 大客戶發展中心進行分析并生成建議匯總表",
           [_f("analysis", "textarea", "分析意见", "Analysis")]),
        _t("review", "director", "大客户发展中心总监审阅", "Director reviews", "P1D", None,
           f"{_SG_SRC}; {_SG}: 大客戶發展中心總監審閱 (the decision is designed)", [
               _f("needs_handling", "bool", "需相关部门处理?", "Needs a department to act?"),
               _f("director_comment", "textarea", "总监意见", "Director's comment", required=False)]),
        _g("gw_handling", "director", "需相关部门处理?"),
        _t("notify_dept", "customer_rep", "通知相关部门", "Notify the department", "P0.5D", None,
           f"{_SG_SRC}; {_SG}: 通知相關部門", [_f("department", "text", "处理部门", "Department")]),
        _t("handle", "business_manager", "处理部门处理并生成处理建议分类表", "Department acts and classifies",
           "P3D", None, f"{_SG_SRC}; {_SG}: 處理部門處理并生成處理建議分類表", [
               _f("handling_class", "choice", "处理分类", "Classification", choices=[
                   ("adopted", "采纳并实施", "Adopted"), ("planned", "纳入计划", "Planned"),
                   ("explained", "解释说明", "Explained"), ("declined", "暂不采纳", "Declined")]),
               _f("handling_result", "textarea", "处理结果", "Outcome")]),
        _t("reply", "customer_rep", "回复大客户并生成建议反馈表", "Reply to the customer with the feedback form",
           "P1D", None, f"{_SG_SRC}; {_SG}: 大客戶發展中心工作人員回復大客戶并生成建議反饋表",
           [_f("feedback", "textarea", "建议反馈", "Feedback given")]),
        _t("thank", "customer_rep", "感谢大客户", "Thank the customer", "P1D", None, f"{_SG_SRC}; {_SG}: 感謝大客戶",
           [_f("thanks_note", "textarea", "致谢方式", "How we thanked", required=False)]),
        _end("customer_rep", "建议处理完毕"),
    ],
    "flows": [
        ("start", "report"), ("report", "analyse"), ("analyse", "review"), ("review", "gw_handling"),
        _yes("gw_handling", "notify_dept", "needs_handling == True"), _no("gw_handling", "thank"),
        ("notify_dept", "handle"), ("handle", "reply"), ("reply", "thank"), ("thank", "end"),
    ],
}

# ---------------------------------------------------------------------------------------------
# Red channel: 故障處理流程 (calendar time; after care in working time)
# ---------------------------------------------------------------------------------------------


def _fault(level):
    one = level == 1
    chart = "一級故障處理流程" if one else "二級故障處理流程"
    cn = "一级" if one else "二级"
    en = "level-1" if one else "level-2"
    half, day = ("P0.5D", "半天") if one else ("P1D", "1天")
    nodes = [
        _start("customer_rep", f"发生{cn}故障"),
        _t("accept", "customer_rep", f"受理{cn}故障(1001、大客户中心、大客户热线;其它渠道通知大客户中心)",
           f"Take the {en} fault report", "PT30M", "30分鐘",
           f"30分鐘 — {chart}: 發生{'一' if one else '二'}級故障,大客戶與1001、大客戶發展中心、大客戶熱線聯系,"
           "其它渠道受理需通知大客戶發展中心",
           [_f("fault_location", "text", "故障地点/电路", "Where (site or circuit)"),
            _f("fault_impact", "textarea", "故障现象与影响", "Symptoms and impact")]),
        _t("report", "customer_rep", f"向有关部门发出{cn}故障申请书并上报公司分管副总",
           f"Send the {en} fault request and report to the vice president", "PT30M", "30分鐘",
           f"30分鐘 — {chart}: 各受理渠道向有關部門發出{'一' if one else '二'}級故障申請書并上報公司分管副總",
           [_f("fault_request_no", "text", "故障申请书编号", "Fault request number")]),
    ]
    if one:
        nodes += [
            _t("backup", "maintenance", "立即启动备用系统恢复通信", "Start the standby system to restore service",
               "PT30M", "30分鐘", f"30分鐘 — {chart}: 大客戶發展中心協助有關部門立即啟動備用系統恢復通信",
               [_f("backup_started_at", "datetime", "备用系统启动时间", "Standby started at")]),
            _t("solution", "maintenance", "制定解决方案", "Work out the solution", "P0.5D", "半天",
               f"半天 — {chart}: 同時制定解決方案 (modelled after the standby start)",
               [_f("solution", "textarea", "解决方案", "Solution")]),
        ]
    else:
        nodes.append(_t("solution", "maintenance", "相关部门制定解决方案", "Departments work out the solution",
                        "P1D", "1天", f"1天 — {chart}: 相關部門制定解決方案",
                        [_f("solution", "textarea", "解决方案", "Solution")]))
    nodes += [
        _t("track", "account_manager", "跟踪监督并协助确定解决方案及方案实施", "Follow up the solution until restored",
           half, day, f"{day} — {chart}: 大客戶發展中心工作人員跟蹤監督并協助確定解決方案及方案實施", [
               _f("restored_at", "datetime", "恢复时间", "Restored at"),
               _f("fault_cause", "textarea", "故障原因", "Cause")]),
        _t("aftercare", "account_manager", "善后回访客户", "After-care visit to the customer", half, None,
           f"designed (same as the neighbouring steps); prose 故障管理: 善后工作,包括客戶回訪、賠償方案的執行; {chart}: 需要賠償?; 合同條款已注明?",
           [_f("aftercare_satisfaction", "choice", "客户满意度", "Customer satisfaction", choices=[
               ("satisfied", "满意", "Satisfied"), ("neutral", "一般", "Neutral"),
               ("dissatisfied", "不满意", "Dissatisfied")]),
            _f("need_compensation", "bool", "需要赔偿?", "Compensation due?"),
            _f("in_contract", "bool", "合同条款已注明赔偿?", "Does the contract set the compensation?", required=False)],
           calendar="working"),
        _g("gw_compensation", "account_manager", "需要赔偿?"),
        _g("gw_in_contract", "account_manager", "合同条款已注明?"),
        _t("compensation_submit", "account_manager", "按合同条款提交赔偿方案", "Submit compensation per the contract",
           half, day, f"{day} — {chart}: 大客戶發展中心工作人員按合同條款提交賠償方案",
           [_f("compensation_plan", "textarea", "赔偿方案", "Compensation plan")], calendar="working"),
        _t("negotiate", "account_manager", "与大客户协商赔偿方案", "Negotiate compensation with the customer",
           half, day, f"{day} — {chart}: 與大客戶協商賠償方案",
           [_f("negotiated_plan", "textarea", "协商的赔偿方案", "Negotiated compensation")], calendar="working"),
        _call("agreement", "account_manager", "签定赔偿协议书(按公司合同签定流程)", "contract_signing",
              "按合同簽定流程時限", f"{chart}: 簽定賠償協議書(按公司合同簽定流程走)"),
        _t("execute", "account_manager", "执行赔偿方案并通知客户", "Carry out the compensation and tell the customer",
           half if one else "P3D", day if one else "3天",
           f"{day if one else '3天'} — {chart}: 執行賠償方案",
           [_f("compensation_amount", "decimal", "赔偿金额(元)", "Compensation (yuan)", required=False), _MESSAGE],
           calendar="working", action="notify_customer"),
        _end("account_manager", "故障处理完毕"),
    ]
    first = "backup" if one else "solution"
    flows = [("start", "accept"), ("accept", "report"), ("report", first)]
    if one:
        flows.append(("backup", "solution"))
    flows += [
        ("solution", "track"), ("track", "aftercare"), ("aftercare", "gw_compensation"),
        _yes("gw_compensation", "gw_in_contract", "need_compensation == True"), _no("gw_compensation", "end"),
        _yes("gw_in_contract", "compensation_submit", "in_contract == True"), _no("gw_in_contract", "negotiate"),
        ("compensation_submit", "execute"), ("negotiate", "agreement"), ("agreement", "execute"), ("execute", "end"),
    ]
    return {
        "key": f"fault_level{level}", "name": f"{cn}故障处理流程", "name_en": f"Level-{level} fault handling",
        "channel": "red", "calendar": "24x7", "resolution_limit": "PT4H" if one else "P2D", "flowchart": chart,
        "start_form": [
            _f("fault_description", "textarea", "故障描述", "Fault description"),
            _f("occurred_at", "datetime", "发生时间", "Occurred at"),
            _f("affected_services", "text", "受影响业务/电路", "Services or circuits affected", required=False),
        ],
        # The seed: every channel reports a fault to the vice president (上報公司分管副總).
        "escalation": {"customer_rep": "director,company_leader"},
        "lanes": ["customer_rep", "maintenance", "account_manager"],
        "nodes": nodes,
        "flows": flows,
    }


FAULT_LEVEL1 = _fault(1)
FAULT_LEVEL2 = _fault(2)

# ---------------------------------------------------------------------------------------------
# 其它流程: the seed is cut off after the first words of 大客戶業務計劃制定流程; these are designed
# from its prose (客戶資料管理, 客戶級別管理, 信用度管理, 渠道管理, 收費通知及催繳, 客戶挽留).
# ---------------------------------------------------------------------------------------------

_BP = "大客戶業務計劃制定流程"
BUSINESS_PLAN = {
    "key": "business_plan", "name": "大客户业务计划制定流程", "name_en": "Key-account business plan",
    "channel": "general", "calendar": "working", "customer_required": False, "flowchart": _BP,
    "start_form": [
        _f("plan_period", "choice", "计划类型", "Plan period", choices=[
            ("year", "年度计划", "Annual"), ("quarter", "季度计划", "Quarterly"), ("month", "月度计划", "Monthly")]),
        _f("plan_label", "text", "计划期(如 2025、2025Q1、2025-03)", "Period (e.g. 2025, 2025Q1, 2025-03)"),
        _f("targets_given", "textarea", "下达的指标和业务发展要求", "Targets and development requirements handed down"),
    ],
    # A province-level plan: its staff answer to the province department director.
    "escalation": {"business_manager": "province_director,company_leader"},
    "lanes": ["business_manager", "province_director", "company_leader", "director"],
    "nodes": [
        _start("business_manager", "上级下达指标"),
        _t("draft", "business_manager", "按业务类型、业务量、新增用户数、客户流失率、客户投诉等指标制定计划",
           "Draft the plan by service, volume, new users, churn and complaints", "P3D", None,
           f"{CUT_OFF}; {_BP}: 各省級大客戶發展中心根據下達的指標和業務發展要求,按照業務類型、業務量、新增用戶數目、客戶流失率、客戶投訴等指標制定本級大客戶發展中心的年度、季度或者月度計劃", [
               _f("plan_content", "textarea", "计划内容(按业务类型)", "Plan by service"),
               _f("target_revenue", "decimal", "业务收入目标(万元)", "Revenue target (10k yuan)"),
               _f("target_new_users", "int", "新增用户数目标", "New users target"),
               _f("target_churn_rate", "decimal", "客户流失率上限(%)", "Churn rate ceiling (%)"),
               _f("target_complaints", "int", "客户投诉上限(件)", "Complaints ceiling")]),
        _t("review", "province_director", "省公司部门总监审核计划", "Province department director reviews",
           "P2D", None, CUT_OFF, [
               _f("plan_reviewed_ok", "bool", "审核通过?", "Approved?"),
               _f("review_comment", "textarea", "审核意见", "Comments", required=False)]),
        _g("gw_review", "province_director", "审核通过?"),
        _t("approve", "company_leader", "公司领导批准计划", "Company leader approves", "P2D", None, CUT_OFF, [
            _f("plan_approved", "bool", "公司领导批准?", "Approved by the leader?"),
            _f("approval_comment", "textarea", "批示", "Instruction", required=False)]),
        _g("gw_approve", "company_leader", "公司领导批准?"),
        _t("publish", "province_director", "计划下达到各地市大客户发展中心", "Hand the plan down to the city centres",
           "P1D", None, CUT_OFF, [_f("publish_note", "textarea", "下达说明", "Note", required=False)]),
        _t("decompose", "director", "地市中心将计划分解到客户经理", "City centre splits the plan among the managers",
           "P2D", None, f"{CUT_OFF}; prose 績效考核: 客戶代表發展的業務量占其年任務量的比例",
           [_f("decomposition", "textarea", "分解方案", "How the plan is split")]),
        _end("director", "计划已下达"),
    ],
    "flows": [
        ("start", "draft"), ("draft", "review"), ("review", "gw_review"),
        _yes("gw_review", "approve", "plan_reviewed_ok == True"), _no("gw_review", "draft"),
        ("approve", "gw_approve"), _yes("gw_approve", "publish", "plan_approved == True"), _no("gw_approve", "draft"),
        ("publish", "decompose"), ("decompose", "end"),
    ],
}

_QR = "大客戶資格審查流程"
QUALIFICATION_REVIEW = {
    "key": "qualification_review", "name": "大客户资格审查流程", "name_en": "Key-account qualification review",
    "channel": "general", "calendar": "working", "flowchart": _QR,
    "start_form": [_f("apply_reason", "textarea", "申请理由", "Why the customer should be a key account")],
    "lanes": ["account_manager", "business_manager", "director", "finance"],
    "nodes": [
        _start("account_manager", "潜在大客户提出或被发现"),
        _t("apply", "account_manager", "提交大客户资格审查申请(客户资料、业务收入、在网时间)",
           "Apply for key-account status", "P1D", None,
           f"{CUT_OFF}; prose 客戶級別管理: 根據用戶在網時間和ARPU值; 客戶分級主要依據客戶的業務收入", [
               _f("monthly_revenue", "decimal", "月均通信费(元)", "Average monthly charges (yuan)"),
               _f("months_on_net", "int", "在网时长(月)", "Months on the network"),
               _f("services_used", "textarea", "使用的联通业务", "Services used")]),
        _t("verify", "business_manager", "核实客户资料及计费帐务资料", "Check the customer and billing data",
           "P2D", None, f"{CUT_OFF}; prose 客戶資料的歸并: 經過客戶和集團客戶部的確認和審核", [
               _f("data_verified", "bool", "资料属实?", "Data confirmed?"),
               _f("verify_notes", "textarea", "核实说明(需补充的资料)", "Notes (what is missing)", required=False)]),
        _g("gw_verified", "business_manager", "资料属实?"),
        _t("review", "director", "大客户中心总监审核大客户资格", "Director decides on key-account status",
           "P1D", None, CUT_OFF, [
               _f("qualified", "bool", "符合大客户资格?", "Qualifies as a key account?"),
               _f("review_comment", "textarea", "审核意见", "Comments", required=False)]),
        _g("gw_qualified", "director", "符合大客户资格?"),
        _t("admit", "account_manager", "建立大客户档案,确定客户级别,纳入大客户管理",
           "Admit as a key account and set the level", "P1D", None,
           f"{CUT_OFF}; prose 增加客戶,并根據錄入數據建議一個客戶級別",
           [_f("admit_note", "textarea", "说明", "Note", required=False)], action="customer_admit"),
        _t("credit", "finance", "确定初始信用等级", "Set the initial credit grade", "P1D", None,
           f"{CUT_OFF}; prose 信用度設置與變更: 對所有新客戶在業務開通前…需要確定其初始信用等級",
           [_f("credit_note", "textarea", "信用评定说明", "Credit note", required=False)], action="credit_regrade"),
        _t("reject", "account_manager", "通知审查结果,列入潜在大客户库", "Tell the result, keep as a potential customer",
           "P1D", None, CUT_OFF, [_f("reject_reason", "textarea", "未通过原因", "Why not")]),
        _end("finance", "已纳入大客户管理", "end_admitted"),
        _end("account_manager", "未通过资格审查", "end_rejected"),
    ],
    "flows": [
        ("start", "apply"), ("apply", "verify"), ("verify", "gw_verified"),
        _yes("gw_verified", "review", "data_verified == True"), _no("gw_verified", "apply"),
        ("review", "gw_qualified"), _yes("gw_qualified", "admit", "qualified == True"), _no("gw_qualified", "reject"),
        ("admit", "credit"), ("credit", "end_admitted"), ("reject", "end_rejected"),
    ],
}

_AQ = "代理商資格審定流程"
AGENT_QUALIFICATION = {
    "key": "agent_qualification", "name": "代理商资格审定流程", "name_en": "Agent qualification",
    "channel": "general", "calendar": "working", "customer_required": False, "flowchart": _AQ,
    "start_form": [
        _f("agent_name", "text", "代理商名称", "Agent name"),
        _f("applied_level", "choice", "申请渠道级别", "Channel level applied for", choices=[
            ("national", "全国性(跨省)", "National"), ("province", "省级", "Province"), ("city", "地市级", "City")]),
        _f("business_scope", "textarea", "申请代理的业务(代销售、代服务)", "Services to sell or serve"),
    ],
    "escalation": {"finance": "province_director,company_leader"},  # agents are managed by the province
    "lanes": ["channel_manager", "finance", "province_director"],
    "nodes": [
        _start("channel_manager", "代理商提出申请"),
        _t("accept", "channel_manager", "受理代理商申请,收集资质资料", "Take the application and documents", "P1D", None,
           f"{CUT_OFF}; prose 渠道業務受理: 申請、資格審查、資料錄入、結算、考核、級別審定", [
               _f("license_no", "text", "营业执照号", "Business licence number"),
               _f("documents", "textarea", "资质资料清单", "Documents received")]),
        _t("check", "channel_manager", "资格审查(资质、经营场所、业绩与信用度)", "Check qualifications",
           "P3D", None, f"{CUT_OFF}; prose 渠道級別管理: 對其業績和信用度等方面的綜合考核", [
               _f("agent_docs_ok", "bool", "资格审查合格?", "Qualifications in order?"),
               _f("check_notes", "textarea", "审查意见", "Notes", required=False)]),
        _g("gw_check", "channel_manager", "资格审查合格?"),
        _t("deposit", "finance", "审核保证金与预存款", "Check deposit and prepayment", "P2D", None,
           f"{CUT_OFF}; prose 代理商/分銷商賬戶管理: 保證金、預存費", [
               _f("deposit_ok", "bool", "保证金已到位?", "Deposit in place?"),
               _f("deposit_amount", "decimal", "保证金(元)", "Deposit (yuan)", required=False)]),
        _g("gw_deposit", "finance", "保证金已到位?"),
        _t("decide", "province_director", "审定代理商资格与渠道级别", "Decide on the agent and its level", "P2D", None,
           f"{CUT_OFF}; prose 渠道級別管理: 全國性(跨省)、省級、地市級", [
               _f("agent_approved", "bool", "同意代理?", "Approved?"),
               _f("granted_level", "choice", "核定渠道级别", "Level granted", required=False, choices=[
                   ("national", "全国性(跨省)", "National"), ("province", "省级", "Province"),
                   ("city", "地市级", "City")])]),
        _g("gw_decide", "province_director", "同意代理?"),
        _t("register", "channel_manager", "资料录入,开立代理商账户并授权", "Register the agent, open its account, grant rights",
           "P1D", None, f"{CUT_OFF}; prose 代理商/分銷商檔案資料維護; 授權維護",
           [_f("agent_code", "text", "代理商编码", "Agent code")]),
        _t("reject", "channel_manager", "通知申请人未通过资格审定", "Tell the applicant it was refused", "P1D", None,
           CUT_OFF, [_f("reject_reason", "textarea", "未通过原因", "Why refused")]),
        _end("channel_manager", "代理商已授权", "end_registered"),
        _end("channel_manager", "未通过审定", "end_rejected"),
    ],
    "flows": [
        ("start", "accept"), ("accept", "check"), ("check", "gw_check"),
        _yes("gw_check", "deposit", "agent_docs_ok == True"), _no("gw_check", "reject"),
        ("deposit", "gw_deposit"), _yes("gw_deposit", "decide", "deposit_ok == True"), _no("gw_deposit", "reject"),
        ("decide", "gw_decide"), _yes("gw_decide", "register", "agent_approved == True"), _no("gw_decide", "reject"),
        ("register", "end_registered"), ("reject", "end_rejected"),
    ],
}

_AR = "大客戶欠費處理流程"
_AR_PROSE = "prose 收費通知及催繳"
ARREARS = {
    "key": "arrears", "name": "大客户欠费处理流程", "name_en": "Key-account arrears handling",
    "channel": "yellow", "calendar": "working", "flowchart": _AR,
    "start_form": [
        _f("period", "text", "账期(YYYY-MM)", "Billing period (YYYY-MM)"),
        _f("billed_amount", "decimal", "应收通信费(元)", "Amount billed (yuan)"),
    ],
    "lanes": ["account_manager", "finance", "director"],
    "nodes": [
        _start("account_manager", "账期费用到期"),
        _t("notice", "account_manager", "查询合同、客户类型、信用度、通信费用,传递收费通知",
           "Check contract, credit and charges; send the billing notice", "P1D", None,
           f"{CUT_OFF}; {_AR_PROSE}: 查詢大客戶的合同情況、客戶類型、信用度、通信費用等情況,向財務部門或催繳中心傳遞收費通知",
           [_f("notice_sent_on", "date", "通知日期", "Notice sent on")]),
        _t("payment", "finance", "财务部门反馈交费情况", "Finance reports the payment", "P3D", None,
           f"{CUT_OFF}; {_AR_PROSE}: 財務部門及時將大客戶的交費情況反饋給大客戶發展中心", [
               _f("paid_in_full", "bool", "已足额交费?", "Paid in full?"),
               _f("paid_amount", "decimal", "已交金额(元)", "Amount paid (yuan)", required=False)]),
        _g("gw_paid", "finance", "已足额交费?"),
        _t("dunning", "account_manager", "提出欠费预警,配合财务部门催缴", "Warn finance and chase the arrears", "P3D", None,
           f"{CUT_OFF}; {_AR_PROSE}: 對客戶欠費行為向財務部等相關部門提出預警; 配合財務部門等相關部門進行用戶欠費催繳工作", [
               _f("paid_after_dunning", "bool", "催缴后已交清?", "Paid after chasing?"),
               _f("dunning_notes", "textarea", "催缴记录", "Chasing notes", required=False)]),
        _g("gw_dunned", "account_manager", "催缴后已交清?"),
        _t("record", "account_manager", "将欠费信息记录到客户资料", "Write the arrears to the customer record",
           "P0.5D", None, f"{CUT_OFF}; {_AR_PROSE}: 將欠費信息記錄到客戶資料中",
           [_f("arrears_amount", "decimal", "欠费金额(元)", "Arrears (yuan)"), _NOTE], action="customer_arrears"),
        _t("regrade", "director", "根据历史交费、欠费情况调整信用度", "Re-grade the customer's credit", "P1D", None,
           f"{CUT_OFF}; {_AR_PROSE}: 根據客戶歷史交費、欠費情況對大客戶的信用度進行調整",
           [_f("regrade_note", "textarea", "说明", "Note", required=False)], action="credit_regrade"),
        _end("director", "信用度已调整", "end_regraded"),
        _end("finance", "按时交清", "end_paid"),
    ],
    "flows": [
        ("start", "notice"), ("notice", "payment"), ("payment", "gw_paid"),
        _yes("gw_paid", "end_paid", "paid_in_full == True"), _no("gw_paid", "dunning"),
        ("dunning", "gw_dunned"), _yes("gw_dunned", "regrade", "paid_after_dunning == True"),
        _no("gw_dunned", "record"), ("record", "regrade"), ("regrade", "end_regraded"),
    ],
}

_OF = "大客戶離網處理流程"
OFF_NETWORK = {
    "key": "off_network", "name": "大客户离网处理流程", "name_en": "Key-account leaving the network",
    "channel": "general", "calendar": "working", "flowchart": _OF,
    "start_form": [
        _f("leave_reason", "choice", "离网原因", "Why the customer leaves", choices=[
            ("tariff", "资费", "Tariffs"), ("network", "网络质量", "Network quality"), ("service", "服务", "Service"),
            ("competitor", "转网", "Moving to a competitor"), ("business", "单位撤销/迁移", "Closed or moved"),
            ("other", "其他", "Other")]),
        _f("leave_detail", "textarea", "情况说明", "Details"),
    ],
    "lanes": ["account_manager", "director", "finance"],
    "nodes": [
        _start("account_manager", "客户申请离网或预流失告警"),
        _t("plan", "account_manager", "选择或制定挽留方案", "Choose or draw up a retention plan", "P1D", None,
           f"{CUT_OFF}; prose 客戶挽留: 根據客戶價值選擇挽留方案或制定新的挽留方案",
           [_f("retention_plan", "textarea", "挽留方案", "Retention plan")]),
        _t("retain", "account_manager", "实施客户挽留", "Try to keep the customer", "P3D", None,
           f"{CUT_OFF}; prose 客戶挽留: 挽留方案的記錄、跟蹤、修改、關閉", [
               _f("retained", "bool", "挽留成功?", "Customer kept?"),
               _f("retention_result", "textarea", "挽留结果", "Outcome")]),
        _g("gw_retained", "account_manager", "挽留成功?"),
        _t("settle", "finance", "结清费用(欠费、押金、预存款)", "Settle charges, deposits and prepayments", "P2D", None,
           CUT_OFF, [_f("settled_amount", "decimal", "结清金额(元)", "Amount settled (yuan)", required=False),
                     _f("settle_notes", "textarea", "结算说明", "Notes", required=False)]),
        _t("cancel", "director", "审批离网,注销大客户资格(转为历史客户)", "Approve leaving; cancel the key account",
           "P1D", None, f"{CUT_OFF}; prose 注銷客戶,使一個客戶失去其大客戶資格…作為歷史客戶處理",
           [_f("reason", "textarea", "注销原因", "Reason for cancelling")], action="customer_cancel"),
        _t("churn_analysis", "account_manager", "客户流失原因分析归档", "File the churn cause", "P1D", None,
           f"{CUT_OFF}; prose 客戶流失原因分析: 逐步形成客戶流失原因知識庫",
           [_f("churn_analysis", "textarea", "流失原因分析", "Churn analysis")]),
        _end("account_manager", "客户已挽留", "end_retained"),
        _end("account_manager", "客户已离网", "end_left"),
    ],
    "flows": [
        ("start", "plan"), ("plan", "retain"), ("retain", "gw_retained"),
        _yes("gw_retained", "end_retained", "retained == True"), _no("gw_retained", "settle"),
        ("settle", "cancel"), ("cancel", "churn_analysis"), ("churn_analysis", "end_left"),
    ],
}

_LC = "大客戶級別變化流程"
LEVEL_CHANGE = {
    "key": "level_change", "name": "大客户级别变化流程", "name_en": "Key-account level change",
    "channel": "general", "calendar": "working", "flowchart": _LC,
    "start_form": [_f("trigger", "choice", "变化原因", "What triggered it", choices=[
        ("evaluation", "定期评估", "Periodic evaluation"), ("arpu", "ARPU值变化", "ARPU change"),
        ("tenure", "在网时长", "Time on the network"), ("manual", "客户经理提议", "Account manager's proposal")])],
    "lanes": ["account_manager", "director", "club_staff"],
    "nodes": [
        _start("account_manager", "级别评估结果或客户经理提议"),
        _t("propose", "account_manager", "提出级别变更建议(在网时间、ARPU、业务收入)", "Propose the new level", "P1D", None,
           f"{CUT_OFF}; prose 客戶級別管理: 根據用戶在網時間和ARPU值等指標實施動態的升降級管理", [
               _f("proposed_level", "text", "建议级别代码", "Proposed level code"),
               _f("change_reason", "textarea", "变更理由", "Why"),
               _f("club_member", "bool", "俱乐部会员(需换卡)?", "Club member (card to change)?")]),
        _t("review", "director", "大客户中心总监审核级别变更", "Director reviews the change", "P1D", None, CUT_OFF, [
            _f("approved", "bool", "同意变更?", "Approved?"),
            _f("review_comment", "textarea", "审核意见", "Comments", required=False)]),
        _g("gw_approved", "director", "同意变更?"),
        _t("apply", "account_manager", "执行级别变更", "Apply the new level", "P0.5D", None,
           f"{CUT_OFF}; prose 修改客戶資料,并根據修改後的數據建議一個新的客戶級別",
           [_f("new_level", "text", "新级别代码(按审核结果)", "New level code (as approved)")], action="level_apply"),
        _g("gw_club", "account_manager", "俱乐部会员?"),
        _t("club_card", "club_staff", "调整俱乐部会员卡级别", "Change the club card", "P2D", None,
           f"{CUT_OFF}; prose: 一級會員鉆石卡、二級會員翡翠卡、三級會員藍寶卡; 會員級別升降管理", [
               _f("card_class", "choice", "会员卡类别", "Card", choices=[
                   ("diamond", "钻石卡", "Diamond"), ("emerald", "翡翠卡", "Emerald"), ("sapphire", "蓝宝卡", "Sapphire")])]),
        _t("notify", "account_manager", "通知客户级别变化及相应服务内容", "Tell the customer the new level and services",
           "P0.5D", None, f"{CUT_OFF}; prose: 對不同的客戶級別制定不同的資費標準和享受不同的服務內容", [_MESSAGE],
           action="notify_customer"),
        _t("keep", "account_manager", "知悉审核结果,维持原级别", "Note the refusal; level unchanged", "P0.5D", None,
           CUT_OFF, [_f("keep_note", "textarea", "说明", "Note", required=False)]),
        _end("account_manager", "级别已变更", "end_changed"),
        _end("account_manager", "维持原级别", "end_kept"),
    ],
    "flows": [
        ("start", "propose"), ("propose", "review"), ("review", "gw_approved"),
        _yes("gw_approved", "apply", "approved == True"), _no("gw_approved", "keep"),
        ("apply", "gw_club"), _yes("gw_club", "club_card", "club_member == True"), _no("gw_club", "notify"),
        ("club_card", "notify"), ("notify", "end_changed"), ("keep", "end_kept"),
    ],
}


# ---------------------------------------------------------------------------------------------
# Requests from customer service (INT-02): consultations and unclassified requests
# ---------------------------------------------------------------------------------------------

_CQ_SRC = "designed: 客戶服務 業務受理 — 客戶咨詢內容、咨詢時間、答復滿意程度 (SVC-10); no flowchart in the seed"
_SATISFACTION = _f("satisfaction", "choice", "答复满意度", "Satisfaction with the answer", choices=[
    ("satisfied", "满意", "Satisfied"), ("neutral", "一般", "Neutral"), ("unsatisfied", "不满意", "Unsatisfied")])
CONSULTATION = {
    "key": "consultation", "name": "大客户咨询处理", "name_en": "Key-account consultation",
    "channel": "general", "calendar": "working", "customer_required": False, "flowchart": "客戶咨詢 (designed)",
    "start_form": [_f("question", "textarea", "咨询内容", "Question"),
                   _f("contact_name", "text", "咨询人", "Caller", required=False)],
    "lanes": ["customer_rep", "business_manager"],
    "nodes": [
        _start("customer_rep", "收到客户咨询"),
        _t("answer", "customer_rep", "查询资料并答复客户", "Look it up and answer", "PT2H", None, _CQ_SRC, [
            _f("answer", "textarea", "答复内容", "Answer given", required=False),
            _f("answered", "bool", "当场答复?", "Answered at once?")]),
        _g("gw_answered", "customer_rep", "当场答复?"),
        _t("expert", "business_manager", "业务部门提供答复", "The business department answers", "P1D", None, _CQ_SRC,
           [_f("expert_answer", "textarea", "业务部门答复", "Department's answer")]),
        _t("reply", "customer_rep", "回复客户", "Reply to the customer", "P0.5D", None, _CQ_SRC,
           [_f("reply_content", "textarea", "回复内容", "Reply")]),
        _t("satisfaction_check", "customer_rep", "记录答复满意度", "Record the satisfaction", "P1D", None, _CQ_SRC,
           [_SATISFACTION]),
        _end("customer_rep", "咨询处理完毕"),
    ],
    "flows": [
        ("start", "answer"), ("answer", "gw_answered"),
        _yes("gw_answered", "satisfaction_check", "answered == True"), _no("gw_answered", "expert"),
        ("expert", "reply"), ("reply", "satisfaction_check"), ("satisfaction_check", "end"),
    ],
}

_SR_SRC = "designed: INT-02 — requests of other types from customer service are classified by staff"
SERVICE_REQUEST = {
    "key": "service_request", "name": "客服转来的服务请求", "name_en": "Service request from customer service",
    "channel": "general", "calendar": "working", "customer_required": False, "flowchart": "INT-02 (designed)",
    "start_form": [_f("description", "textarea", "请求内容", "Request"),
                   _f("request_type", "text", "请求类型(来源系统)", "Request type (from the sending system)", required=False)],
    "lanes": ["customer_rep", "account_manager"],
    "nodes": [
        _start("customer_rep", "收到客服转来的请求"),
        _t("classify", "customer_rep", "分类并转入相应流程", "Classify and route", "PT2H", None, _SR_SRC, [
            _f("category", "choice", "归类", "Category", choices=[
                ("complaint", "投诉", "Complaint"), ("fault_level1", "一级故障", "Level-1 fault"),
                ("fault_level2", "二级故障", "Level-2 fault"), ("suggestion", "建议", "Suggestion"),
                ("consultation", "咨询", "Consultation"), ("other", "其它(本流程处理)", "Other (handled here)")]),
            _f("customer_code", "text", "客户编号(请求未带客户时)", "Customer code (if the request named none)", required=False)],
           action="classify_case"),
        _g("gw_other", "customer_rep", "其它?"),
        _t("handle", "account_manager", "处理请求并回复", "Handle the request and reply", "P1D", None, _SR_SRC,
           [_f("handling_result", "textarea", "处理结果", "Outcome")]),
        _end("customer_rep", "已处理或已转入相应流程"),
    ],
    "flows": [
        ("start", "classify"), ("classify", "gw_other"),
        _yes("gw_other", "handle", "category == 'other'"), _no("gw_other", "end"), ("handle", "end"),
    ],
}

PROCESSES = [
    VISIT_ACCEPTANCE, CONTRACT_SIGNING, ENGINEERING, ACTIVATION_OTHER, ACTIVATION_DATA,
    REVISIT, COMPLAINT, SERVICE_TRANSFER, SUGGESTION, FAULT_LEVEL1, FAULT_LEVEL2,
    BUSINESS_PLAN, QUALIFICATION_REVIEW, AGENT_QUALIFICATION, ARREARS, OFF_NETWORK, LEVEL_CHANGE,
    CONSULTATION, SERVICE_REQUEST,
]
