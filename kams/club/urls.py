from django.urls import path

from kams.club import views_points as v
from kams.club.urls_members import urlpatterns as member_patterns

app_name = "club"
urlpatterns = [
    *member_patterns,
    path("points/ledger/", v.EntryListPage.as_view(), name="entries"),
    path("points/statement/<int:pk>/", v.StatementPage.as_view(), name="statement"),
    path("points/adjustments/", v.AdjustmentListPage.as_view(), name="adjustments"),
    path("points/adjustments/new/", v.AdjustmentCreatePage.as_view(), name="adjustment_create"),
    path("points/adjustments/<int:pk>/<str:decision>/", v.AdjustmentDecideView.as_view(), name="adjustment_decide"),
    path("points/rules/", v.RuleListPage.as_view(), name="rules"),
    path("points/rules/new/", v.RuleCreatePage.as_view(), name="rule_create"),
    path("points/rules/<int:pk>/", v.RuleChangePage.as_view(), name="rule_change"),
    path("points/rules/<int:pk>/retire/", v.RuleRetireView.as_view(), name="rule_retire"),
    path("points/expiry-rules/new/", v.ExpiryRuleCreatePage.as_view(), name="expiry_rule_create"),
    path("points/runs/", v.RunListPage.as_view(), name="runs"),
    path("points/runs/start/", v.RunStartView.as_view(), name="run_start"),
    path("points/runs/<int:pk>/", v.RunDetailPage.as_view(), name="run"),
    path("redemption/desk/", v.DeskPage.as_view(), name="desk"),
    path("redemption/list/", v.RedemptionListPage.as_view(), name="redemptions"),
    path("redemption/<int:pk>/reverse/", v.RedemptionReversePage.as_view(), name="redemption_reverse"),
    path("redemption/statements/", v.MonthlyStatementPage.as_view(), name="monthly_statements"),
    path("redemption/items/", v.ItemListPage.as_view(), name="items"),
    path("redemption/items/new/", v.ItemCreatePage.as_view(), name="item_create"),
    path("redemption/items/<int:pk>/", v.ItemPage.as_view(), name="item"),
    path("redemption/channels/", v.ChannelListPage.as_view(), name="channels"),
    path("redemption/channels/new/", v.ChannelCreatePage.as_view(), name="channel_create"),
    path("redemption/channels/<int:pk>/<str:action>/", v.ChannelActionView.as_view(), name="channel_action"),
]
