"""Knowledge quizzes (知识竞赛): question banks, quizzes pushed by schedules, answers, rankings."""
