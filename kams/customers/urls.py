from django.urls import path

from kams.customers import views, views_contracts, views_edit, views_levels

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListPage.as_view(), name="list"),
    path("changes/", views.CustomerChangesPage.as_view(), name="changes"),
    path("new/", views_edit.CustomerCreatePage.as_view(), name="create"),
    path("<int:pk>/", views.CustomerDetailPage.as_view(), name="detail"),
    path("<int:pk>/edit/", views_edit.CustomerEditPage.as_view(), name="edit"),
    path("<int:pk>/level/", views_edit.CustomerLevelPage.as_view(), name="level"),
    path("<int:pk>/cancel/", views_edit.CustomerCancelPage.as_view(), name="cancel"),
    path("<int:pk>/restore/", views_edit.CustomerRestorePage.as_view(), name="restore"),
    path("<int:pk>/accounts/new/", views_edit.AccountCreatePage.as_view(), name="account_create"),
    path("accounts/<int:pk>/edit/", views_edit.AccountEditPage.as_view(), name="account_edit"),
    path("accounts/<int:pk>/cancel/", views_edit.AccountCancelPage.as_view(), name="account_cancel"),
    path("<int:pk>/contacts/new/", views_edit.ContactCreatePage.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views_edit.ContactEditPage.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/remove/", views_edit.ContactRemovePage.as_view(), name="contact_remove"),
    path("<int:pk>/members/new/", views_edit.MemberCreatePage.as_view(), name="member_create"),
    path("members/<int:pk>/leave/", views_edit.MemberLeavePage.as_view(), name="member_leave"),
    path("<int:pk>/relations/new/", views_edit.RelationCreatePage.as_view(), name="relation_create"),
    path("relations/<int:pk>/remove/", views_edit.RelationRemovePage.as_view(), name="relation_remove"),
    path("contracts/", views_contracts.ContractListPage.as_view(), name="contracts"),
    path("<int:pk>/contracts/new/", views_contracts.ContractCreatePage.as_view(), name="contract_create"),
    path("contracts/<int:pk>/", views_contracts.ContractDetailPage.as_view(), name="contract_detail"),
    path("contracts/<int:pk>/edit/", views_contracts.ContractEditPage.as_view(), name="contract_edit"),
    path("contracts/<int:pk>/move/", views_contracts.ContractMoveView.as_view(), name="contract_move"),
    path("contracts/<int:pk>/attach/", views_contracts.ContractAttachView.as_view(), name="contract_attach"),
    path("attachments/<int:pk>/", views_contracts.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("levels/", views_levels.LevelChangesPage.as_view(), name="levels"),
    path("levels/evaluate/", views_levels.LevelEvaluateView.as_view(), name="levels_evaluate"),
    path("levels/decide/", views_levels.LevelDecideView.as_view(), name="levels_decide"),
    path("attributes/", views_edit.AttributeListPage.as_view(), name="attributes"),
    path("attributes/new/", views_edit.AttributeCreatePage.as_view(), name="attribute_create"),
    path("attributes/<int:pk>/edit/", views_edit.AttributeEditPage.as_view(), name="attribute_edit"),
]
