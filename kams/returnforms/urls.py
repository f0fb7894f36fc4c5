from django.urls import path

from kams.returnforms import views

app_name = "returnforms"
urlpatterns = [
    path("", views.HandoverListPage.as_view(), name="handovers"),
    path("new/", views.HandoverCreatePage.as_view(), name="handover_create"),
    path("<int:pk>/", views.HandoverDetailPage.as_view(), name="handover"),
    path("<int:pk>/receipt.pdf", views.HandoverReceiptView.as_view(), name="receipt"),
    path("entries/", views.EntryListPage.as_view(), name="entries"),
    path("entries/new/", views.EntryCreatePage.as_view(), name="entry_create"),
    path("entries/files/", views.EntryFileListPage.as_view(), name="files"),
    path("entries/files/new/", views.EntryFilePage.as_view(), name="file_create"),
    path("entries/files/<int:pk>/", views.EntryFileDetailPage.as_view(), name="file"),
]
