from django.urls import path

from kams.system import views

app_name = "system"
urlpatterns = [
    path("parameters/", views.ParameterListPage.as_view(), name="parameters"),
    path("parameters/<str:key>/", views.ParameterEditPage.as_view(), name="parameter_edit"),
    path("jobs/", views.JobListPage.as_view(), name="jobs"),
    path("jobs/backup/", views.BackupRequestView.as_view(), name="backup_request"),
]
