from django.urls import path

from xinbao.periodicals import views

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
    path("reading/", views.reading_list, name="reading"),
    path("reading/<int:pk>/", views.reading_issue, name="reading_issue"),
]
