from django.urls import path

from kams.channelstats import views
from kams.channelstats.reports import REPORTS

app_name = "channelstats"
urlpatterns = [
    path("", views.RunListPage.as_view(), name="runs"),
    path("runs/new/", views.RunFormPage.as_view(), name="run_new"),
    path("runs/<int:pk>/", views.RunDetailPage.as_view(), name="run"),
    path("runs/<int:pk>/export/", views.RunExportView.as_view(), name="run_export"),
    path("runs/<int:pk>/notify/", views.RunNotifyView.as_view(), name="run_notify"),
    path("results/<int:pk>/", views.ResultDetailPage.as_view(), name="result"),
    path("models/", views.ModelListPage.as_view(), name="models"),
    path("models/new/", views.ModelFormPage.as_view(), name="model_new"),
    path("scores/", views.ManualListPage.as_view(), name="manual"),
    path("scores/new/", views.ManualFormPage.as_view(), name="manual_new"),
    path("scores/import/", views.ManualImportPage.as_view(), name="manual_import"),
    path("exports/", views.ExportListPage.as_view(), name="exports"),
    path("exports/<int:pk>/file/", views.ExportFileView.as_view(), name="export_file"),
    path("reports/", views.ReportIndexPage.as_view(), name="reports"),
    *[path(f"reports/{slug}/", views.ReportPage.as_view(), {"slug": slug}, name=f"report_{slug}") for slug in REPORTS],
    path("reports/<slug:slug>/", views.ReportPage.as_view(), name="report"),
]
