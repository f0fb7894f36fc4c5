from django.urls import path

from kams.support import views

app_name = "support"
urlpatterns = [
    path("templates/", views.TemplateListPage.as_view(), name="templates"),
    path("templates/new/", views.TemplateFormPage.as_view(), name="template_new"),
    path("templates/<int:pk>/", views.TemplatePage.as_view(), name="template"),
    path("templates/<int:pk>/revise/", views.TemplateFormPage.as_view(), name="template_revise"),
    path("solutions/", views.SolutionListPage.as_view(), name="solutions"),
    path("solutions/new/", views.SolutionNewPage.as_view(), name="solution_new"),
    path("solutions/<int:pk>/", views.SolutionPage.as_view(), name="solution"),
    path("solutions/<int:pk>/<slug:step>/", views.SolutionStepPage.as_view(), name="solution_step"),
    path("records/", views.RecordListPage.as_view(), name="records"),
    path("records/new/", views.RecordFormPage.as_view(), name="record_new"),
    path("records/<int:pk>/", views.RecordPage.as_view(), name="record"),
    path("records/<int:pk>/edit/", views.RecordFormPage.as_view(), name="record_edit"),
    path("quality/", views.QualityListPage.as_view(), name="quality"),
    path("quality/new/", views.AssessmentNewPage.as_view(), name="assessment_new"),
    path("quality/indicators/", views.IndicatorListPage.as_view(), name="indicators"),
    path("quality/indicators/new/", views.IndicatorFormPage.as_view(), name="indicator_new"),
    path("quality/indicators/<int:pk>/edit/", views.IndicatorFormPage.as_view(), name="indicator_edit"),
    path("consultations/", views.ConsultationListPage.as_view(), name="consultations"),
    path("consultations/new/", views.ConsultationNewPage.as_view(), name="consultation_new"),
    path("classes/", views.ServiceClassListPage.as_view(), name="classes"),
    path("classes/<int:pk>/edit/", views.ServiceClassEditPage.as_view(), name="class_edit"),
    path("lines/", views.LineListPage.as_view(), name="lines"),
    path("lines/new/", views.LineFormPage.as_view(), name="line_new"),
    path("lines/<int:pk>/", views.LinePage.as_view(), name="line"),
    path("lines/<int:pk>/edit/", views.LineFormPage.as_view(), name="line_edit"),
    path("lines/<int:pk>/check/", views.LineCheckPage.as_view(), name="line_check"),
    path("lines/<int:pk>/fault/", views.FaultLinkPage.as_view(), name="line_fault"),
    path("faults/", views.FaultListPage.as_view(), name="faults"),
    path("notices/", views.NoticeListPage.as_view(), name="notices"),
    path("notices/new/", views.NoticeNewPage.as_view(), name="notice_new"),
    path("notices/<int:pk>/", views.NoticePage.as_view(), name="notice"),
    path("notices/<int:pk>/<slug:action>/", views.NoticeActionView.as_view(), name="notice_action"),
]
