from django.urls import path

from kams.cards import views

app_name = "cards"
urlpatterns = [
    path("", views.CardListPage.as_view(), name="list"),
    path("apply/", views.CardApplyPage.as_view(), name="apply"),
    path("<int:pk>/", views.CardDetailPage.as_view(), name="detail"),
    path("<int:pk>/<slug:action>/", views.CardMovePage.as_view(), name="move"),
    path("stock/", views.StockPage.as_view(), name="stock"),
    path("stock/ranges/", views.RangeListPage.as_view(), name="ranges"),
    path("stock/moves/", views.MoveListPage.as_view(), name="moves"),
    path("stock/status/", views.StatusPage.as_view(), name="status"),
    path("stock/in/", views.StockInPage.as_view(), name="stock_in"),
    path("stock/distribute/", views.DistributePage.as_view(), name="distribute"),
    path("stock/transfer/", views.TransferPage.as_view(), name="transfer"),
    path("stock/return/", views.ReturnPage.as_view(), name="return"),
    path("stock/void/", views.VoidPage.as_view(), name="void"),
    path("stock/correct/", views.CorrectPage.as_view(), name="correct"),
    path("stock/stocktakes/", views.StocktakeListPage.as_view(), name="stocktakes"),
    path("stock/stocktakes/new/", views.StocktakeCreatePage.as_view(), name="stocktake_create"),
    path("stock/stocktakes/<int:pk>/", views.StocktakeDetailPage.as_view(), name="stocktake"),
]
