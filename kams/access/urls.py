from django.urls import path

from kams.access import views

app_name = "access"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("security/", views.security_view, name="security"),
]
