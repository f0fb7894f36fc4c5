from django.urls import path

from kams.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.code_login_view, name="code_login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("points/", views.points_view, name="points"),
    path("points/expiring/", views.expiring_view, name="expiring"),
    path("redeem/", views.catalogue_view, name="catalogue"),
    path("redeem/<str:code>/", views.redeem_view, name="redeem"),
    path("redemptions/", views.redemptions_view, name="redemptions"),
    path("redemptions/<int:pk>/", views.receipt_view, name="receipt"),
    path("statements/<int:year>/<int:month>/", views.statement_view, name="statement"),
    path("auto/", views.auto_view, name="auto"),
    path("me/", views.me_view, name="me"),
    path("me/phone/", views.phone_view, name="phone"),
    path("news/", views.news_view, name="news"),
    path("activities/", views.activities_view, name="activities"),
    path("activities/<int:pk>/register/", views.activity_register_view, name="activity_register"),
]
