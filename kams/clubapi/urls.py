from django.urls import path

from kams.clubapi import views

app_name = "clubhq"
urlpatterns = [
    path("", views.HqRequestListPage.as_view(), name="requests"),
    path("<int:pk>/", views.HqRequestDetailPage.as_view(), name="request"),
]
