from django.urls import path

from kams.billing import views

app_name = "billing"
urlpatterns = [
    path("imports/", views.ImportListPage.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailPage.as_view(), name="import_detail"),
    path("arrears/", views.ArrearsPage.as_view(), name="arrears"),
]
