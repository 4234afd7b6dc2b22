app_name = "evaluation"

urlpatterns = []
