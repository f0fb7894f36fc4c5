from django.urls import path

from kams.care import views

app_name = "care"
urlpatterns = [
    path("plans/", views.PlanListPage.as_view(), name="plans"),
    path("plans/new/", views.PlanFormPage.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailPage.as_view(), name="plan"),
    path("plans/<int:pk>/edit/", views.PlanFormPage.as_view(), name="plan_edit"),
    path("plans/<int:pk>/approve/", views.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/cancel/", views.PlanCancelPage.as_view(), name="plan_cancel"),
    path("visits/", views.VisitListPage.as_view(), name="visits"),
    path("visits/quick/", views.QuickResultPage.as_view(), name="quick"),
    path("visits/stats/", views.VisitStatsPage.as_view(), name="stats"),
    path("visits/<int:pk>/postpone/", views.VisitPostponePage.as_view(), name="visit_postpone"),
    path("visits/<int:pk>/stop/", views.VisitStopPage.as_view(), name="visit_stop"),
    path("visits/<int:pk>/reassign/", views.VisitReassignPage.as_view(), name="visit_reassign"),
    path("proposals/", views.ProposalListPage.as_view(), name="proposals"),
    path("proposals/<int:pk>/accept/", views.ProposalAcceptPage.as_view(), name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", views.ProposalDismissPage.as_view(), name="proposal_dismiss"),
    path("actions/", views.ActionListPage.as_view(), name="actions"),
    path("actions/new/", views.ActionCreatePage.as_view(), name="action_create"),
    path("actions/<int:pk>/survey/", views.SurveyPage.as_view(), name="action_survey"),
    path("rules/", views.RulesPage.as_view(), name="rules"),
    path("rules/new/", views.RuleFormPage.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleFormPage.as_view(permission_required="care.change_carerule"), name="rule_edit"),
    path("gifts/", views.GiftListPage.as_view(), name="gifts"),
    path("gifts/new/", views.GiftFormPage.as_view(), name="gift_create"),
    path("gifts/<int:pk>/edit/", views.GiftFormPage.as_view(permission_required="care.change_gift"), name="gift_edit"),
    path("stock/", views.StockListPage.as_view(), name="stock"),
    path("stock/in/", views.StockInPage.as_view(), name="stock_in"),
    path("stock/transfer/", views.TransferPage.as_view(), name="stock_transfer"),
    path("moves/", views.MoveListPage.as_view(), name="moves"),
]
