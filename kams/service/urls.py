from django.urls import path

from kams.service import views

app_name = "service"
urlpatterns = [
    path("", views.MyWorkPage.as_view(), name="my_work"),
    path("cases/", views.CaseListPage.as_view(), name="cases"),
    path("cases/new/", views.CaseOpenPage.as_view(), name="case_new"),
    path("cases/<str:number>/", views.CasePage.as_view(), name="case"),
    path("cases/<str:number>/bpmn/", views.CaseBpmnView.as_view(), name="case_bpmn"),
    path("cases/<str:number>/note/", views.CaseNoteView.as_view(), name="case_note"),
    path("cases/<str:number>/cancel/", views.CaseCancelView.as_view(), name="case_cancel"),
    path("cases/<str:number>/steps/<int:pk>/<str:action>/", views.StepActionView.as_view(), name="step_action"),
    path("steps/", views.WorkItemListPage.as_view(), name="items"),
    path("steps/reassign/", views.ReassignPage.as_view(), name="reassign"),
    path("board/", views.BoardPage.as_view(), name="board"),
    path("statistics/", views.StatsPage.as_view(), name="stats"),
    path("processes/", views.DefinitionListPage.as_view(), name="definitions"),
    path("processes/<str:key>/", views.DefinitionPage.as_view(), name="definition"),
    path("processes/version/<int:pk>/bpmn/", views.DefinitionBpmnView.as_view(), name="definition_bpmn"),
    path("processes/version/<int:pk>/activate/", views.DefinitionActivateView.as_view(), name="definition_activate"),
    path("holidays/", views.HolidayPage.as_view(), name="holidays"),
]
