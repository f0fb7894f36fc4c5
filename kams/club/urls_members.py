"""Pages of members and levels (owned by the members part), in namespace ``club``."""

from django.urls import path

from kams.club import views_members as views

urlpatterns = [
    path("members/", views.MemberListPage.as_view(), name="members"),
    path("members/new/", views.MemberCreatePage.as_view(), name="member_create"),
    path("members/<int:pk>/", views.MemberDetailPage.as_view(), name="member"),
    path("members/<int:pk>/edit/", views.MemberEditPage.as_view(), name="member_edit"),
    path("members/<int:pk>/level/", views.MemberLevelPage.as_view(), name="member_level"),
    path("members/<int:pk>/approve/", views.ApprovePage.as_view(), name="member_approve"),
    path("members/<int:pk>/reject/", views.RejectPage.as_view(), name="member_reject"),
    path("members/<int:pk>/dunning/", views.DunningMarkPage.as_view(), name="dunning_mark"),
    path("review/", views.ReviewListPage.as_view(), name="review"),
    path("levels/", views.LevelListPage.as_view(), name="levels"),
    path("levels/rules/", views.LevelRulesPage.as_view(), name="level_rules"),
    path("levels/<int:pk>/edit/", views.LevelEditPage.as_view(), name="level_edit"),
    path("levels/runs/", views.LevelRunsPage.as_view(), name="level_runs"),
    path("levels/changes/", views.LevelChangeListPage.as_view(), name="level_changes"),
    path("inspections/", views.InspectionPage.as_view(), name="inspections"),
    path("arrears/", views.ArrearsListPage.as_view(), name="arrears"),
    path("dunning/", views.DunningListPage.as_view(), name="dunnings"),
    path("dunning/<int:pk>/handle/", views.DunningHandlePage.as_view(), name="dunning_handle"),
    path("dunning/<int:pk>/case/", views.DunningCaseView.as_view(), name="dunning_case"),
    path("at-risk/", views.AtRiskPage.as_view(), name="at_risk"),
]
