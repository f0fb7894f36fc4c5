from django.urls import path

from kams.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.AgentListPage.as_view(), name="agents"),
    path("new/", views.AgentCreatePage.as_view(), name="agent_create"),
    path("<int:pk>/", views.AgentDetailPage.as_view(), name="agent"),
    path("<int:pk>/edit/", views.AgentEditPage.as_view(), name="agent_edit"),
    path("<int:pk>/register/", views.AgentRegisterPage.as_view(), name="agent_register"),
    path("<int:pk>/deregister/", views.AgentDeregisterPage.as_view(), name="agent_deregister"),
    path("<int:pk>/authorise/", views.AuthorisePage.as_view(), name="agent_authorise"),
    path("<int:pk>/revoke/", views.RevokePage.as_view(), name="agent_revoke"),
    path("<int:pk>/level/", views.LevelChangePage.as_view(), name="agent_level"),
    path("<int:pk>/payment/", views.PaymentPage.as_view(), name="agent_payment"),
    path("<int:pk>/withdrawal/", views.WithdrawalPage.as_view(), name="agent_withdrawal"),
    path("<int:pk>/statement/", views.StatementPage.as_view(), name="agent_statement"),
    path("types/", views.AgentTypeListPage.as_view(), name="agent_types"),
    path("types/new/", views.AgentTypeFormPage.as_view(), name="agent_type_create"),
    path("types/<int:pk>/edit/", views.AgentTypeFormPage.as_view(permission_required="channels.change_agenttype"),
         name="agent_type_edit"),
    path("regrade/", views.RegradePage.as_view(), name="regrade"),
]
