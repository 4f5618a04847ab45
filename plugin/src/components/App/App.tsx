import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { SceneApp, useSceneApp } from '@grafana/scenes';
import { ROUTES } from '../../constants';
import { explorerPage } from '../../pages/Explorer/explorerPage';
import { modelsPage } from '../../pages/Models/modelsPage';
import { overviewPage } from '../../pages/Overview/overviewPage';
import { playgroundPage } from '../../pages/Playground/playgroundPage';

function getSceneApp() {
  return new SceneApp({
    pages: [overviewPage(), explorerPage(), modelsPage(), playgroundPage()],
    urlSyncOptions: {
      updateUrlOnInit: true,
      createBrowserHistorySteps: true,
    },
  });
}

function App(_props: AppRootProps) {
  const scene = useSceneApp(getSceneApp);
  return (
    <Routes>
      <Route index element={<Navigate to={ROUTES.Overview} replace />} />
      <Route path="*" element={<scene.Component model={scene} />} />
    </Routes>
  );
}

export default App;
