from django.urls import path

from xinbao.periodicals import setup_views, views

app_name = "periodicals"
urlpatterns = [
    path("", views.periodical_list, name="list"),
    path("<int:pk>/", views.periodical_detail, name="periodical"),
    path("<int:pk>/new/", views.issue_create, name="issue_create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/items/", views.issue_add_items, name="issue_add_items"),
    path("issues/<int:pk>/title/", views.issue_title, name="issue_title"),
    path("issues/<int:pk>/entries/<int:entry>/move/", views.entry_move, name="entry_move"),
    path("issues/<int:pk>/entries/<int:entry>/note/", views.entry_note, name="entry_note"),
    path("issues/<int:pk>/entries/<int:entry>/remove/", views.entry_remove, name="entry_remove"),
    path("issues/<int:pk>/submit/", views.issue_submit, name="issue_submit"),
    path("issues/<int:pk>/direct/", views.issue_direct, name="issue_direct"),
    path("issues/<int:pk>/check/", views.issue_check, name="issue_check"),
    path("issues/<int:pk>/return/", views.issue_return, name="issue_return"),
    path("issues/<int:pk>/countersign/", views.issue_countersign, name="issue_countersign"),
    path("issues/<int:pk>/distribute/", views.issue_distribute, name="issue_distribute"),
    path("issues/<int:pk>/archive/", views.issue_archive, name="issue_archive"),
    path("issues/<int:pk>/preview/", views.issue_preview, name="issue_preview"),
    path("issues/<int:pk>/docx/", views.issue_docx, name="issue_docx"),
    path("issues/<int:pk>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("sign/", views.sign_queue, name="sign_queue"),
    path("sign/<int:pk>/", views.sign_issue, name="sign_issue"),
    path("sign/<int:pk>/sign/", views.sign_sign, name="sign_sign"),
    path("sign/<int:pk>/return/", views.sign_return, name="sign_return"),
    path("sign/<int:pk>/instruct/", views.sign_instruct, name="sign_instruct"),
    path("sign/<int:pk>/entries/<int:entry>/revise/", views.sign_revise, name="sign_revise"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("instructions/answer/", views.instruction_answer_list, name="instructions_to_answer"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction"),
    path(
        "instructions/<int:pk>/feedback/", views.instruction_feedback, name="instruction_feedback"
    ),
    path("instructions/<int:pk>/close/", views.instruction_close, name="instruction_close"),
    path("setup/", setup_views.setup_list, name="setup_list"),
    path("setup/new/", setup_views.setup_create, name="setup_create"),
    path("setup/<int:pk>/", setup_views.setup_edit, name="setup_edit"),
    path("setup/<int:pk>/retire/", setup_views.setup_retire, name="setup_retire"),
    path("setup/<int:pk>/reinstate/", setup_views.setup_reinstate, name="setup_reinstate"),
    path("setup/<int:pk>/delete/", setup_views.setup_delete, name="setup_delete"),
    path(
        "setup/<int:pk>/distribution/",
        setup_views.distribution_add,
        name="setup_distribution_add",
    ),
    path(
        "setup/<int:pk>/distribution/<int:entry>/",
        setup_views.distribution_edit,
        name="setup_distribution_edit",
    ),
    path(
        "setup/<int:pk>/distribution/<int:entry>/remove/",
        setup_views.distribution_remove,
        name="setup_distribution_remove",
    ),
    path("setup/<int:pk>/readers/", setup_views.reader_add, name="setup_reader_add"),
    path(
        "setup/<int:pk>/readers/<int:user>/remove/",
        setup_views.reader_remove,
        name="setup_reader_remove",
    ),
    path("routes/", setup_views.routes, name="routes"),
    path("reading/", views.reading_list, name="reading"),
    path("reading/<int:pk>/", views.reading_issue, name="reading_issue"),
]
