from django.urls import path

from kams.org import views

app_name = "org"
urlpatterns = [
    path("", views.OrgTreePage.as_view(), name="tree"),
    path("units/new/", views.OrgUnitCreatePage.as_view(), name="unit_create"),
    path("units/<int:pk>/edit/", views.OrgUnitEditPage.as_view(), name="unit_edit"),
    path("staff/", views.StaffListPage.as_view(), name="staff"),
    path("staff/new/", views.StaffCreatePage.as_view(), name="staff_create"),
    path("staff/<int:pk>/", views.StaffDetailPage.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffEditPage.as_view(), name="staff_edit"),
    path("staff/<int:pk>/password/", views.StaffPasswordPage.as_view(), name="staff_password"),
    path("roles/", views.RoleListPage.as_view(), name="roles"),
    path("roles/new/", views.RoleCreatePage.as_view(), name="role_create"),
    path("roles/<int:pk>/edit/", views.RoleEditPage.as_view(), name="role_edit"),
]
