from django.urls import path

from kams.credit import views

app_name = "credit"
urlpatterns = [
    path("", views.AccountCreditListPage.as_view(), name="accounts"),
    path("changes/", views.CreditChangesPage.as_view(), name="changes"),
    path("accounts/<int:pk>/grade/", views.CreditSetPage.as_view(), name="set"),
    path("standards/", views.StandardsPage.as_view(), name="standards"),
    path("standards/<slug:grade>/edit/", views.StandardEditPage.as_view(), name="standard_edit"),
    path("rules/new/", views.RuleEditPage.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleEditPage.as_view(), name="rule_edit"),
    path("regrade/", views.RegradeView.as_view(), name="regrade"),
    path("initial/", views.InitialAssignView.as_view(), name="initial_assign"),
    path("export.csv", views.ExportCsvView.as_view(), name="export_csv"),
]
