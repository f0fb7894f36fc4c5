from django.urls import path

from kams.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditListPage.as_view(), name="list"),
    path("<int:pk>/", views.AuditDetailPage.as_view(), name="detail"),
]
