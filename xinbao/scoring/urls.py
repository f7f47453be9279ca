from django.urls import path

from xinbao.scoring import report_views, views

app_name = "scoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/send/", report_views.report_send, name="report_send"),
    path("reports/<int:pk>/<str:kind>/", report_views.report_file, name="report_file"),
]
