from django.urls import path

from kams.collection import views

app_name = "collection"
urlpatterns = [
    path("rules/", views.RuleListPage.as_view(), name="rules"),
    path("rules/new/", views.RuleCreatePage.as_view(), name="rule_create"),
    path("rules/<int:pk>/", views.RuleEditPage.as_view(), name="rule_edit"),
    path("candidates/", views.CandidateListPage.as_view(), name="candidates"),
    path("candidates/generate/", views.CandidatesGenerateView.as_view(), name="candidates_generate"),
    path("candidates/<int:pk>/", views.CandidateDetailPage.as_view(), name="candidate_detail"),
    path("first-contacts/", views.FirstContactListPage.as_view(), name="first_contacts"),
    path("first-contacts/<int:pk>/done/", views.FirstContactDonePage.as_view(), name="first_contact_done"),
    path("duplicates/", views.DuplicateListPage.as_view(), name="duplicates"),
    path("duplicates/find/", views.DuplicatesFindView.as_view(), name="duplicates_find"),
    path("duplicates/<int:pk>/", views.DuplicateDetailPage.as_view(), name="duplicate_detail"),
    path("duplicates/<int:pk>/merge/", views.MergePage.as_view(), name="merge"),
]
