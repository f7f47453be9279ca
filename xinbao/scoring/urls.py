from django.urls import path

from xinbao.scoring import report_views, rule_views, views

app_name = "scoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/send/", report_views.report_send, name="report_send"),
    path("reports/<int:pk>/<str:kind>/", report_views.report_file, name="report_file"),
    path("letters/<int:pk>/<str:kind>/", report_views.letter_file, name="letter_file"),
    path("d/<str:token>/", report_views.shared_document, name="shared_document"),
    path("rules/", rule_views.ruleset_list, name="rulesets"),
    path("rules/new/", rule_views.ruleset_new, name="ruleset_new"),
    path("rules/<int:pk>/", rule_views.ruleset_detail, name="ruleset"),
    path("ledger/", rule_views.ledger, name="ledger"),
    path("ledger/<int:pk>/correct/", rule_views.correct_entry, name="correct"),
]
