from django.urls import path

from kams.clubstats import views
from kams.clubstats.catalogue import STATISTIC_PAGES

app_name = "clubstats"
urlpatterns = [
    path("", views.StatisticsIndexPage.as_view(), name="index"),
    path("cost/", views.StatisticPage.as_view(statistic_name="cost"), name="cost"),
    path("cost/analysis/", views.StatisticPage.as_view(statistic_name="cost_analysis"), name="cost_analysis"),
    path("schemes/", views.SchemeListPage.as_view(), name="schemes"),
    path("schemes/new/", views.SchemeFormPage.as_view(), name="scheme_create"),
    path("schemes/<int:pk>/", views.SchemeDetailPage.as_view(), name="scheme"),
    path("schemes/<int:pk>/edit/", views.SchemeFormPage.as_view(), name="scheme_edit"),
    path("schemes/<int:pk>/forecast/", views.ForecastStartView.as_view(), name="forecast_start"),
    path("forecasts/compare/", views.ForecastComparePage.as_view(), name="forecast_compare"),
    path("forecasts/<int:pk>/", views.ForecastDetailPage.as_view(), name="forecast"),
    *[path(f"{name}/", views.StatisticPage.as_view(statistic_name=name), name=name) for name in STATISTIC_PAGES],
]
