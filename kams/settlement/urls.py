from django.urls import path

from kams.settlement import views

app_name = "settlement"
urlpatterns = [
    path("", views.RunList.as_view(), name="runs"),
    path("runs/new/", views.RunCreate.as_view(), name="run_create"),
    path("runs/<int:pk>/", views.RunDetail.as_view(), name="run"),
    path("bills/", views.BillList.as_view(), name="bills"),
    path("bills/<int:pk>/", views.BillDetail.as_view(), name="bill"),
    path("bills/<int:pk>/adjust/", views.BillAdjust.as_view(), name="bill_adjust"),
    path("bills/<int:pk>/pay/", views.BillPay.as_view(), name="bill_pay"),
    path("bills/<int:pk>/supplement/", views.BillSupplement.as_view(), name="bill_supplement"),
    path("extractions/", views.ExtractionList.as_view(), name="extractions"),
    path("extractions/new/", views.ExtractionCreate.as_view(), name="extraction_create"),
    path("schemes/", views.SchemeList.as_view(), name="schemes"),
    path("schemes/new/", views.SchemeCreate.as_view(), name="scheme_create"),
    path("schemes/check/", views.ExpressionCheck.as_view(), name="expression_check"),
    path("schemes/<int:pk>/", views.SchemeDetail.as_view(), name="scheme"),
    path("composites/", views.CompositeList.as_view(), name="composites"),
    path("composites/new/", views.CompositeEdit.as_view(), name="composite_create"),
    path("composites/<int:pk>/", views.CompositeEdit.as_view(), name="composite_edit"),
    path("agent-schemes/", views.AgentSchemeList.as_view(), name="agent_schemes"),
    path("agent-schemes/assign/", views.AgentSchemeEdit.as_view(), name="agent_scheme_edit"),
    path("variables/", views.VariableList.as_view(), name="variables"),
    path("variables/<int:pk>/", views.VariableEdit.as_view(), name="variable_edit"),
]
