"""Printable exports (.xlsx) of the tracker's forms.

- ``monitoring_xlsx``: 项目支出绩效目标执行监控表 of one project and the summary of a run.
"""
