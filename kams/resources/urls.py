from django.urls import path

from kams.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.StockPage.as_view(), name="stock"),
    path("items/", views.ItemListPage.as_view(), name="items"),
    path("items/<int:pk>/", views.ItemDetailPage.as_view(), name="item"),
    path("stock-in/", views.StockInPage.as_view(), name="stock_in"),
    path("move/", views.StockMovePage.as_view(), name="move"),
    path("config/", views.ConfigPage.as_view(), name="config"),
    path("config/prices/new/", views.PriceAddPage.as_view(), name="price_add"),
    path("config/limits/", views.LimitSetPage.as_view(), name="limit_set"),
    path("flow/", views.FlowPage.as_view(), name="flow"),
    path("flow/nodes/new/", views.NodeAddPage.as_view(), name="node_add"),
    path("flow/rules/new/", views.RuleAddPage.as_view(), name="rule_add"),
    path("flow/rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule_delete"),
    path("pickups/", views.PickupListPage.as_view(), name="pickups"),
    path("pickups/new/", views.PickupCreatePage.as_view(), name="pickup_create"),
    path("pickups/<int:pk>/", views.PickupDetailPage.as_view(), name="pickup"),
    path("pickups/<int:pk>/cancel/", views.PickupCancelPage.as_view(), name="pickup_cancel"),
    path("returns/new/", views.ReturnPage.as_view(), name="return"),
    path("agent-transfers/new/", views.AgentTransferPage.as_view(), name="agent_transfer"),
    path("fee-adjustments/new/", views.FeeAdjustPage.as_view(), name="fee_adjust"),
    path("movements/", views.MovementListPage.as_view(), name="movements"),
]
