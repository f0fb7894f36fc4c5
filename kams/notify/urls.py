from django.urls import path

from kams.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.MessageListPage.as_view(), name="messages"),
    path("<int:pk>/resend/", views.MessageResendView.as_view(), name="resend"),
]
