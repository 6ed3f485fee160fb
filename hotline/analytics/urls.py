from django.urls import URLPattern, URLResolver, path

from . import assessment_views, ledger, report_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard_page, name="analytics_dashboard"),
    path("wall/", views.wall_page, name="analytics_wall"),
    path("kpis/", views.kpi_page, name="analytics_kpis"),
    path("ledger/", ledger.ledger_page, name="analytics_ledger"),
    path("assessment/", assessment_views.assessment_page, name="analytics_assessment"),
    path(
        "assessment/export.xlsx",
        assessment_views.assessment_export,
        name="analytics_assessment_export",
    ),
    path("reports/", report_views.report_list, name="analytics_reports"),
    path("reports/new/", report_views.report_create, name="analytics_report_create"),
    path("reports/<int:pk>/", report_views.report_detail, name="analytics_report"),
    path("reports/<int:pk>/docx/", report_views.report_download_docx, name="analytics_report_docx"),
    path("reports/<int:pk>/pdf/", report_views.report_download_pdf, name="analytics_report_pdf"),
]
