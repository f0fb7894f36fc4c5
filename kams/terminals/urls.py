from django.urls import path

from kams.terminals import views

app_name = "terminals"
urlpatterns = [
    path("", views.SaleListPage.as_view(), name="sales"),
    path("sales/new/", views.SaleCreatePage.as_view(), name="sale_create"),
    path("sales/<int:pk>/", views.SaleDetailPage.as_view(), name="sale"),
    path("models/", views.HandsetModelListPage.as_view(), name="models"),
    path("models/new/", views.HandsetModelCreatePage.as_view(), name="model_create"),
    path("models/<int:pk>/", views.HandsetModelEditPage.as_view(), name="model_edit"),
    path("levels/", views.SubsidyLevelListPage.as_view(), name="levels"),
    path("levels/new/", views.SubsidyLevelCreatePage.as_view(), name="level_create"),
    path("imports/", views.ImportListPage.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailPage.as_view(), name="import"),
    path("flags/", views.AnomalyListPage.as_view(), name="anomalies"),
    path("flags/chart/", views.AnomalyChartPage.as_view(), name="chart"),
    path("flags/<int:pk>/", views.AnomalyDetailPage.as_view(), name="anomaly"),
    path("flags/<int:pk>/<str:decision>/", views.AnomalyReviewPage.as_view(), name="review"),
]
