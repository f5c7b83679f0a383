"""The programme office (issue 12): the campaign, its dashboard and final report, the gap list,
the audit-log browser. Plain functions over the session; `api/routes/office.py` wires them."""
